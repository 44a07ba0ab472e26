import { describe, expect, it } from "vitest";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import { PLAN_ID, RECOVERY_POINT_ARN } from "../../../test/fixtures/events/scenarios/storage-protection.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { getDetection } from "../catalog.js";

const config = parseConfig({});
const detection = getDetection("backup-deleted");
const evaluate = (event: unknown) => {
  if (detection.stateful) throw new Error("backup-deleted is stateless");
  return detection.evaluate(normalizeRecords(event).events[0]!.envelope, config);
};
const backup = (eventName: string, request: unknown, response: unknown = null) =>
  record("backup.amazonaws.com", eventName, request, response);

describe("backup-deleted findings", () => {
  it("names the vault, recovery point or plan each call deleted", () => {
    const point = evaluate(
      backup("DeleteRecoveryPoint", { backupVaultName: "prod-vault", recoveryPointArn: RECOVERY_POINT_ARN }),
    );
    const lock = evaluate(backup("DeleteBackupVaultLockConfiguration", { backupVaultName: "prod-vault" }));
    const vault = evaluate(backup("DeleteBackupVault", { backupVaultName: "prod-vault" }));
    const planArn = `arn:aws:backup:us-east-1:123456789012:backup-plan:${PLAN_ID}`;
    const plan = evaluate(
      backup("DeleteBackupPlan", { backupPlanId: PLAN_ID }, { backupPlanId: PLAN_ID, backupPlanArn: planArn }),
    );

    expect(point?.resource).toBe(RECOVERY_POINT_ARN);
    expect(point?.facts).toMatchObject({ backupVaultName: "prod-vault", recoveryPointArn: RECOVERY_POINT_ARN });
    expect(lock?.summary).toContain("removed the vault lock from backup vault prod-vault");
    expect(vault?.summary).toContain("deleted backup vault prod-vault");
    expect(vault?.resource).toBe("backup-vault/prod-vault");
    expect(plan?.resource).toBe(planArn);
    expect(plan?.facts).toMatchObject({ eventName: "DeleteBackupPlan", backupPlanId: PLAN_ID, backupPlanArn: planArn });
  });

  it("reads odd shapes without throwing", () => {
    const odd = [null, "text", 42, [], { backupVaultName: ["a"], recoveryPointArn: {} }];
    for (const name of [
      "DeleteBackupVault",
      "DeleteRecoveryPoint",
      "DeleteBackupVaultLockConfiguration",
      "DeleteBackupPlan",
    ]) {
      for (const value of odd) expect(() => evaluate(backup(name, value, value))).not.toThrow();
    }
  });
});
