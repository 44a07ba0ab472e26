import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../../core/model/catalog.js";
import { loadDefinition } from "../../local/interpreter/load.js";
import type { Retrier } from "../../local/interpreter/model.js";
import { retryDelayMs } from "../../local/interpreter/retriers.js";
import type { AslState } from "../../workflows/asl.js";
import { exportWorkflows } from "../../workflows/export.js";
import {
  allWorkflows,
  FUNCTION_PLACEHOLDERS,
  placeholdersIn,
  substitutePlaceholders,
  THROTTLING_ERRORS,
  TRANSIENT_ERRORS,
  workflowDefinition,
} from "../../workflows/index.js";
import { validateAsl } from "./asl-validator.js";

const tasks = (states: Record<string, AslState>) =>
  Object.entries(states).filter(([, state]) => state.Type === "Task") as [string, AslState][];

describe.each(CATEGORIES)("the %s workflow", (category) => {
  const definition = workflowDefinition(category);

  it("is valid ASL for asl-validator", () => {
    const verdict = validateAsl(definition);

    expect(verdict.errors).toBe("");
    expect(verdict.valid).toBe(true);
  });

  it("loads in the local interpreter (which refuses anything it cannot run as Step Functions would)", () => {
    const compiled = loadDefinition(definition, { now: () => 0, random: () => 0.5 });

    expect(compiled.states.size).toBe(Object.keys(definition.States).length);
  });

  it("uses JSONata only, with a Comment and a sentence-like name on every state", () => {
    const text = JSON.stringify(definition);

    expect(definition.QueryLanguage).toBe("JSONata");
    expect(text).not.toMatch(/\.\$"/);
    for (const [name, state] of Object.entries(definition.States)) {
      expect(name, name).toMatch(/^[A-Z][a-z]*( [^\s]+)+$/);
      expect(typeof state.Comment === "string" && state.Comment.length > 10, name).toBe(true);
    }
  });

  it("gives every task a timeout, retries with backoff and jitter (throttling for minutes), and a catch-all", () => {
    for (const [name, state] of tasks(definition.States)) {
      const retry = state.Retry as Record<string, unknown>[];
      const catches = state.Catch as { ErrorEquals: string[]; Next: string }[];

      expect(state.TimeoutSeconds, name).toBeDefined();
      expect(retry[0], name).toEqual({
        ErrorEquals: ["Lambda.TooManyRequestsException", "Throttled"],
        IntervalSeconds: 5,
        MaxAttempts: 12,
        BackoffRate: 2,
        MaxDelaySeconds: 120,
        JitterStrategy: "FULL",
      });
      expect(retry[1], name).toEqual({
        ErrorEquals: [
          "Lambda.ClientExecutionTimeoutException",
          "Lambda.ServiceException",
          "Lambda.AWSLambdaException",
          "Lambda.SdkClientException",
          "TransientError",
        ],
        IntervalSeconds: 2,
        MaxAttempts: 4,
        BackoffRate: 2,
        MaxDelaySeconds: 30,
        JitterStrategy: "FULL",
      });
      expect(catches.at(-1)?.ErrorEquals, name).toEqual(["States.ALL"]);
    }
  });

  it("retries throttling for minutes in the local interpreter: at most 995 s of waits, each at most 120 s", () => {
    // Arrange: the retriers as the interpreter loaded them, and the longest draw of full jitter.
    const compiled = loadDefinition(definition, { now: () => 0, random: () => 0.5 });
    const remediate = compiled.states.get("Remediate the target") as { retry: Retrier[] };
    const throttling = remediate.retry[0]!;

    // Act
    const waits = Array.from({ length: throttling.maxAttempts }, (_, retry) =>
      retryDelayMs(throttling, retry, () => 1),
    );

    // Assert
    expect(throttling.errorEquals).toEqual(THROTTLING_ERRORS);
    expect(throttling.jitterStrategy).toBe("FULL");
    expect(Math.max(...waits)).toBe(120_000);
    expect(waits.reduce((total, wait) => total + wait, 0)).toBe(995_000);
    expect(THROTTLING_ERRORS.filter((error) => TRANSIENT_ERRORS.includes(error))).toEqual([]);
  });

  it("sends every task failure to one failure path (opening and the failure path itself excepted)", () => {
    const targets = new Map(
      tasks(definition.States).map(([name, state]) => [name, (state.Catch as { Next: string }[]).at(-1)?.Next]),
    );

    expect(targets.get("Open the incident")).toBe("Incident could not be opened");
    expect(targets.get("Record failure")).toBe("Workflow failed");
    expect(targets.get("Escalate the failure")).toBe("Workflow failed");
    const others = [...targets].filter(
      ([name]) => !["Open the incident", "Record failure", "Escalate the failure"].includes(name),
    );
    expect(others.length).toBeGreaterThanOrEqual(8);
    for (const [name, target] of others) expect(target, name).toBe("Record failure");
  });

  it("waits for approval with a callback, a timeout from the decision, and the policy's default on timeout", () => {
    const request = definition.States["Request approval"] as AslState;

    expect(request.Resource).toBe("arn:aws:states:::lambda:invoke.waitForTaskToken");
    expect(String(request.TimeoutSeconds)).toContain("$decision.approval.timeoutSeconds");
    expect((request.Catch as { ErrorEquals: string[]; Next: string }[])[0]).toEqual({
      ErrorEquals: ["States.Timeout"],
      Next: "Approval timed out: apply the policy's default",
    });
    expect(JSON.stringify(request.Retry)).not.toContain("States.Timeout");
  });

  it("names its functions by placeholder, one per task", () => {
    expect(placeholdersIn(definition)).toEqual(Object.values(FUNCTION_PLACEHOLDERS).sort());
  });
});

describe("the categories", () => {
  it("differ in how long a live change is left to propagate", () => {
    const waits = Object.fromEntries(
      allWorkflows().map(({ category, definition }) => [
        category,
        (definition.States["Wait for the change to take effect"] as { Seconds: number }).Seconds,
      ]),
    );

    expect(waits.identity).toBeGreaterThan(waits.network ?? 0);
    expect(new Set(Object.keys(waits))).toEqual(new Set(CATEGORIES));
  });
});

describe("substitutePlaceholders", () => {
  it("replaces every placeholder and leaves the rest", () => {
    const values = Object.fromEntries(
      Object.values(FUNCTION_PLACEHOLDERS).map((name) => [
        name,
        `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
      ]),
    );

    const substituted = substitutePlaceholders(workflowDefinition("network"), values);

    expect(placeholdersIn(substituted)).toEqual([]);
    expect(JSON.stringify(substituted)).toContain("function:RemediateFunction");
    expect(validateAsl(substituted).valid).toBe(true);
  });

  it("refuses to leave a placeholder without a value", () => {
    expect(() => substitutePlaceholders(workflowDefinition("network"), { OpenFunction: "x" })).toThrow(
      /no value for the placeholder \$\{EnrichFunction\}/,
    );
  });
});

describe("exportWorkflows", () => {
  it("writes <category>.asl.json for every category, exactly the definitions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "riposte-workflows-"));
    try {
      const files = await exportWorkflows(join(dir, "out"));

      expect(files.map((file) => file.split("/").at(-1))).toEqual(CATEGORIES.map((c) => `${c}.asl.json`));
      for (const category of CATEGORIES) {
        const text = await readFile(join(dir, "out", `${category}.asl.json`), "utf8");
        expect(JSON.parse(text)).toEqual(workflowDefinition(category));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
