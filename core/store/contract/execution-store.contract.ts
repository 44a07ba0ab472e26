import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../model/history.js";
import type { ExecutionStore, StoredExecution } from "../ports.js";

/** The contract of the local interpreter's execution store (memory and SQLite). */
export function describeExecutionStoreContract(
  label: string,
  open: () => Promise<{ store: ExecutionStore; reopen?: () => Promise<ExecutionStore>; close(): Promise<void> }>,
): void {
  const execution = (name: string, overrides: Partial<StoredExecution> = {}): StoredExecution => ({
    executionArn: `arn:aws:states:local:000000000000:execution:network:${name}`,
    name,
    stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:network",
    status: "RUNNING",
    startDate: "2026-01-01T00:00:00.000Z",
    input: { finding: { detection: "sg-ssh-open-world" } },
    incidentId: name,
    checkpoint: { state: "Wait for approval", variables: { attempt: 1 }, tokens: ["t-1"] },
    ...overrides,
  });
  const event = (id: number, type: string): HistoryEvent => ({
    id,
    previousEventId: id - 1,
    timestamp: `2026-01-01T00:00:0${id}.000Z`,
    type,
    ...(type === "TaskScheduled" ? { taskScheduledEventDetails: { resource: "invoke", region: "local" } } : {}),
  });

  describe(`${label}: executions`, () => {
    it("stores, replaces and lists executions by status", async () => {
      const { store, close } = await open();
      const running = execution("one");
      const done = execution("two", { startDate: "2026-01-01T00:00:01.000Z" });

      await store.putExecution(running);
      await store.putExecution(done);
      await store.putExecution({
        ...done,
        status: "SUCCEEDED",
        stopDate: "2026-01-01T00:01:00.000Z",
        output: { ok: 1 },
      });
      const fetched = await store.getExecution(running.executionArn);
      const all = await store.listExecutions();
      const succeeded = await store.listExecutions({ status: "SUCCEEDED" });
      const missing = await store.getExecution("arn:none");
      await close();

      expect(fetched).toEqual(running);
      expect(all.map((item) => item.name)).toEqual(["one", "two"]);
      expect(succeeded).toEqual([
        { ...done, status: "SUCCEEDED", stopDate: "2026-01-01T00:01:00.000Z", output: { ok: 1 } },
      ]);
      expect(missing).toBeUndefined();
    });

    it("appends history in id order, ignoring an event appended twice", async () => {
      const { store, close } = await open();
      const arn = execution("h").executionArn;

      await store.appendHistory(arn, [event(1, "ExecutionStarted"), event(2, "TaskStateEntered")]);
      await store.appendHistory(arn, [event(2, "TaskStateEntered"), event(3, "TaskScheduled")]);
      const history = await store.getHistory(arn);
      const none = await store.getHistory("arn:none");
      await close();

      expect(history).toEqual([event(1, "ExecutionStarted"), event(2, "TaskStateEntered"), event(3, "TaskScheduled")]);
      expect(none).toEqual([]);
    });

    it("keeps executions and their checkpoints across a restart", async () => {
      const { store, reopen, close } = await open();
      if (!reopen) return await close();
      const waiting = execution("waiting");
      await store.putExecution(waiting);
      await store.appendHistory(waiting.executionArn, [event(1, "ExecutionStarted")]);

      const restarted = await reopen();
      const fetched = await restarted.getExecution(waiting.executionArn);
      const history = await restarted.getHistory(waiting.executionArn);
      await close();

      expect(fetched).toEqual(waiting);
      expect(history).toEqual([event(1, "ExecutionStarted")]);
    });
  });
}
