import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decideApproval } from "../../core/approval/decide.js";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import { MemoryStore } from "../../core/store/memory.js";
import { MemoryExecutionStore } from "../../core/store/memory-executions.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import { ManualClock } from "../../local/interpreter/clock.js";
import { createLocalWorkflowEngine } from "../../local/runtime/workflow-engine.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { FINDINGS } from "./fixtures.js";
import { enteredStates } from "./harness.js";

/**
 * Restarting `riposte serve` while an incident waits for approval: the stores outlive the
 * process, a new engine resumes the execution, it keeps waiting, and the approval given after
 * the restart completes it.
 */

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

describe("a restart while an incident waits for approval", () => {
  it("keeps it waiting, and the approval after the restart completes it", async () => {
    const store = new MemoryStore();
    const executions = new MemoryExecutionStore();
    const clock = new ManualClock(new Date("2026-03-10T14:30:00.000Z"));
    const config = parseConfig({
      detections: { "sg-ssh-open-world": { mode: "approval" } },
      notify: { slack: { channel: "#security", retries: 0 } },
    });
    const engine = () =>
      createLocalWorkflowEngine({
        deps: {
          config,
          store,
          logger: silentLogger,
          now: () => new Date(clock.now()),
          aws: { region: "us-east-1", maxAttempts: 1 },
          mode: "dry-run",
          secrets: { slackBotToken: slack.token, slackApiUrl: slack.apiUrl },
          ledger: new MemoryActionLedger(),
        },
        executions,
        clock,
        random: () => 0.5,
      });
    const before = engine();
    const { incidentId, executionArn } = await before.startFinding(FINDINGS.network);
    await before.interpreter.idle();
    const waiting = await store.getIncident(incidentId);

    await before.close();
    clock.set(clock.now() + 20 * 60_000);
    const after = engine();
    const resumed = await after.resume();
    await after.interpreter.idle();
    const stillWaiting = await after.interpreter.describeExecution(executionArn);
    await decideApproval(
      { incidentId, decision: "approve", approver: "alice@example.com", via: "dashboard" },
      after.deps,
    );
    await after.interpreter.idle();
    const done = await after.interpreter.describeExecution(executionArn);
    const incident = await store.getIncident(incidentId);
    const history = await after.interpreter.getExecutionHistory(executionArn);

    expect(waiting?.status).toBe("AWAITING_APPROVAL");
    expect(resumed).toBe(1);
    expect(stillWaiting.status).toBe("RUNNING");
    expect(done).toMatchObject({ status: "SUCCEEDED", output: { incidentId, status: "MITIGATED" } });
    expect(incident?.transitions.map((t) => t.to)).toEqual([
      "NEW",
      "TRIAGED",
      "AWAITING_APPROVAL",
      "PROCESSING",
      "MITIGATED",
    ]);
    // The approval was requested once: the restart did not post a second request.
    expect(enteredStates(history).filter((state) => state === "Request approval")).toHaveLength(1);
    expect(history.filter((event) => event.type === "TaskSubmitted")).toHaveLength(1);
    expect(history.map((event) => event.id)).toEqual(history.map((_, index) => index + 1));
  });
});
