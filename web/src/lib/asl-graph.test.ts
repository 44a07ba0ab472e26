import { describe, expect, it } from "vitest";
import { DEFINITION } from "../test/fixtures.js";
import { buildStateGraph } from "./asl-graph.js";

describe("buildStateGraph", () => {
  it("lays states out top to bottom along the longest path", () => {
    const graph = buildStateGraph(DEFINITION)!;

    const layerOf = (name: string) => graph.nodes.find((node) => node.name === name)?.layer;
    expect(layerOf("Enrich the incident")).toBe(0);
    expect(layerOf("Approval required?")).toBe(2);
    // Remediate follows both the choice and the approval, so it sits below the approval.
    expect(layerOf("Request approval")).toBe(3);
    expect(layerOf("Remediate")).toBe(4);
    expect(layerOf("Record failure")).toBe(5);
    expect(graph.layerCount).toBe(6);
  });

  it("labels choice, default and catch edges", () => {
    const graph = buildStateGraph(JSON.stringify(DEFINITION))!;

    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);
    expect(edge("Approval required?", "Request approval")).toMatchObject({ kind: "choice", label: "needs approval" });
    expect(edge("Approval required?", "Remediate")).toMatchObject({ kind: "default", label: "otherwise" });
    expect(edge("Remediate", "Record failure")).toMatchObject({ kind: "catch", label: "States.ALL" });
  });

  it("marks loops as back edges instead of stretching the layout", () => {
    const graph = buildStateGraph({
      StartAt: "Check",
      States: {
        Check: { Type: "Task", Next: "Done?" },
        "Done?": { Type: "Choice", Choices: [{ Condition: "{% $done %}", Next: "End" }], Default: "Wait" },
        Wait: { Type: "Wait", Seconds: 5, Next: "Check" },
        End: { Type: "Succeed" },
      },
    })!;

    expect(graph.edges.find((e) => e.from === "Wait" && e.to === "Check")?.back).toBe(true);
    expect(graph.edges.filter((e) => e.back)).toHaveLength(1);
    expect(graph.nodes.find((n) => n.name === "End")?.terminal).toBe(true);
  });

  it("returns undefined for anything that is not a state machine", () => {
    expect(buildStateGraph(undefined)).toBeUndefined();
    expect(buildStateGraph("{not json")).toBeUndefined();
    expect(buildStateGraph({ StartAt: "Missing", States: {} })).toBeUndefined();
  });
});
