import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import { requestedFlowLogIds } from "./flow-logs-deleted.js";

const deleteFlowLogs = (requestParameters: unknown, responseElements: unknown = null) =>
  record("ec2.amazonaws.com", "DeleteFlowLogs", requestParameters, responseElements);

describe("requestedFlowLogIds", () => {
  it.each([
    ["one {content, tag} object", { DeleteFlowLogsRequest: { FlowLogId: { content: "fl-1", tag: 1 } } }, ["fl-1"]],
    [
      "a list of them",
      {
        DeleteFlowLogsRequest: {
          FlowLogId: [
            { content: "fl-1", tag: 1 },
            { content: "fl-2", tag: 2 },
          ],
        },
      },
      ["fl-1", "fl-2"],
    ],
    ["plain strings", { DeleteFlowLogsRequest: { FlowLogId: ["fl-1", "fl-1", "fl-3"] } }, ["fl-1", "fl-3"]],
    ["null requestParameters", null, []],
    ["a string request", { DeleteFlowLogsRequest: "fl-1" }, []],
    ["odd entries", { DeleteFlowLogsRequest: { FlowLogId: [null, 7, { content: 5 }, { tag: 1 }, ["fl-9"]] } }, []],
  ])("reads %s", (_name, requestParameters, expected) => {
    expect(requestedFlowLogIds(deleteFlowLogs(requestParameters))).toEqual(expected);
  });
});

describe("flow-logs-deleted", () => {
  it("lists only the flow logs EC2 deleted, not those it reported unsuccessful", async () => {
    const rec = deleteFlowLogs(
      {
        DeleteFlowLogsRequest: {
          FlowLogId: [
            { content: "fl-1", tag: 1 },
            { content: "fl-2", tag: 2 },
          ],
        },
      },
      {
        DeleteFlowLogsResponse: {
          requestId: "r",
          unsuccessful: { item: [{ error: { code: "InvalidFlowLogId.NotFound", message: "m" }, resourceId: "fl-2" }] },
        },
      },
    );
    const found = of(await detect([rec]), "flow-logs-deleted");

    expect(found).toHaveLength(1);
    expect(found[0]!.facts).toMatchObject({ eventName: "DeleteFlowLogs", flowLogIds: ["fl-1"] });
    expect(found[0]!.resource).toBe("arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/fl-1");
    expect(found[0]!.severity).toBe("high");
    expect(found[0]!.summary).toBe("arn:aws:iam::123456789012:user/alice deleted VPC flow log fl-1");
  });

  it("still reports a successful call whose ids it cannot read", async () => {
    for (const requestParameters of [null, "x", { DeleteFlowLogsRequest: { FlowLogId: 12 } }]) {
      const found = of(await detect([deleteFlowLogs(requestParameters, "odd")]), "flow-logs-deleted");
      expect(found).toHaveLength(1);
      expect(found[0]!.facts).toMatchObject({ flowLogIds: [] });
    }
  });
});
