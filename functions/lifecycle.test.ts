import { describe, expect, it } from "vitest";
import { makeDeps } from "../test/notify/fixtures.js";
import { FINDINGS } from "../test/workflows/fixtures.js";
import { openTask } from "./open.js";
import { recordTask } from "./record.js";

const execution = { id: "arn:aws:states:us-east-1:000000000000:execution:riposte-network:x", name: "x" };

describe("the workflow's own tasks", () => {
  it("open: validates the input and returns the stored incident, without evidence", async () => {
    const deps = makeDeps();

    const output = await openTask.create(deps)({ input: { finding: FINDINGS.network }, execution });

    expect(output.duplicate).toBe(false);
    expect(output.incident).toMatchObject({ status: "NEW", detection: "sg-ssh-open-world" });
    expect(Object.keys(output.incident)).not.toContain("evidence");
  });

  it("open: refuses a malformed input as InvalidInput", async () => {
    const deps = makeDeps();

    await expect(
      openTask.create(deps)({ input: { finding: { ...FINDINGS.network, detection: "made-up" } }, execution }),
    ).rejects.toMatchObject({ name: "InvalidInput", message: expect.stringContaining("open task input is invalid") });
  });

  it("record: writes the status and answers with what the incident is now", async () => {
    const deps = makeDeps();
    const { incident } = await openTask.create(deps)({ input: { finding: FINDINGS.network }, execution });

    const output = await recordTask.create(deps)({
      incidentId: incident.id,
      status: "NOTIFIED",
      reason: "notify only",
    });

    expect(output).toEqual({ incidentId: incident.id, status: "NOTIFIED", version: 2 });
  });
});
