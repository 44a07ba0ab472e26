import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { normalizeRecords } from "../../core/events/index.js";
import type { EventEnvelope } from "../../core/model/event.js";
import { authorizeIngress } from "../fixtures/events/cloudtrail.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { createWorkflowHarness, enteredStates } from "./harness.js";

/**
 * A deployed EventBridge rule starts the workflow with `{ detection, event }` (the rule's input
 * transformer): the open task runs the detection's stateless check on the event itself.
 */

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => slack.close());

function envelopeOf(record: Record<string, unknown>): EventEnvelope {
  const { events } = normalizeRecords(record);
  const envelope = events[0]?.envelope;
  if (!envelope) throw new Error("the record did not normalize to an event");
  return envelope;
}

async function startFromRule(event: EventEnvelope, name: string) {
  const h = createWorkflowHarness({ slack });
  const { executionArn } = await h.engine.interpreter.startExecution({
    stateMachineArn: h.engine.stateMachineArn("network"),
    name,
    input: { detection: "sg-ssh-open-world", event },
  });
  await h.settle();
  return {
    h,
    execution: await h.engine.interpreter.describeExecution(executionArn),
    history: await h.engine.interpreter.getExecutionHistory(executionArn),
  };
}

describe("a workflow started by an EventBridge rule", () => {
  it("finds the incident in the event and handles it", async () => {
    const event = envelopeOf(authorizeIngress("sg-0a1b2c3d4e5f60718", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]));

    const { h, execution } = await startFromRule(event, "rule-delivery-1");

    expect(execution).toMatchObject({ status: "SUCCEEDED", output: { status: "MITIGATED" } });
    const incident = await h.store.getIncident((execution.output as { incidentId: string }).incidentId);
    expect(incident).toMatchObject({ detection: "sg-ssh-open-world", resource: "sg-0a1b2c3d4e5f60718" });
    expect(incident?.eventIds).toEqual([event.id]);
  });

  it("ends quietly when the event holds no finding (the rule's pattern is only a pre-filter)", async () => {
    const event = envelopeOf(authorizeIngress("sg-0a1b2c3d4e5f60718", [{ from: 22, to: 22, cidrs: ["10.0.0.0/8"] }]));

    const { h, execution, history } = await startFromRule(event, "rule-delivery-2");

    expect(execution).toMatchObject({ status: "SUCCEEDED", output: { incidentId: null } });
    expect(enteredStates(history)).toEqual(["Open the incident", "Not an incident"]);
    expect((await h.store.listIncidents()).items).toEqual([]);
  });
});
