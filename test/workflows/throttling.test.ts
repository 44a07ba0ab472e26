import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Throttled, TransientError } from "../../core/errors.js";
import type { LocalFunction } from "../../local/interpreter/integrations.js";
import { TASK_FACTORIES } from "../../local/runtime/tasks.js";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.js";
import { FINDINGS } from "./fixtures.js";
import { createWorkflowHarness, type WorkflowHarness } from "./harness.js";

/**
 * The retry policy as the local interpreter runs it (manual clock): a task that AWS throttles
 * for minutes still completes, while any other transient fault gives up after its 4 retries.
 */

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

/** A harness whose enrich task fails `failures` times with `fault`, then runs the real handler. */
function faultyEnrich(failures: number, fault: () => Error): { h: WorkflowHarness; calls: () => number } {
  let calls = 0;
  let real: LocalFunction | undefined;
  const h = createWorkflowHarness({
    slack,
    handlers: {
      enrich: async (payload) => {
        calls++;
        if (calls <= failures) throw fault();
        return real!(payload);
      },
    },
  });
  real = TASK_FACTORIES.enrich.create(h.engine.deps);
  return { h, calls: () => calls };
}

describe("throttled tasks", () => {
  it("rides out 12 throttled attempts in a row (minutes of waits) and completes the workflow", async () => {
    // Arrange
    const { h, calls } = faultyEnrich(12, () => new Throttled("ec2:DescribeInstances failed after 3 attempts"));
    const started = h.clock.now();

    // Act
    const run = await h.run(FINDINGS.network);

    // Assert: 13 attempts; with the harness's jitter draw of 0.5, half of 5+10+20+40+80+7×120 s.
    expect(calls()).toBe(13);
    expect(run.execution.status).toBe("SUCCEEDED");
    expect(run.incident.status).toBe("MITIGATED");
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(497_500);
  });

  it("gives up on a throttled task after 12 retries (13 attempts), on the failure path", async () => {
    const { h, calls } = faultyEnrich(13, () => new Throttled("ec2:DescribeInstances failed after 3 attempts"));

    const run = await h.run(FINDINGS.network);

    expect(calls()).toBe(13);
    expect(run.execution.status).toBe("FAILED");
    expect(run.states).toContain("Record failure");
  });

  it("gives up on another transient fault after 4 retries (5 attempts)", async () => {
    const { h, calls } = faultyEnrich(5, () => new TransientError("DynamoDB InternalServerError"));

    const run = await h.run(FINDINGS.network);

    expect(calls()).toBe(5);
    expect(run.execution.status).toBe("FAILED");
    expect(run.states).toContain("Record failure");
  });
});
