import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_ID, STORAGE_PROTECTION_SCENARIOS } from "../fixtures/events/scenarios/storage-protection.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * KMS family, end to end: one key scheduled for deletion and another disabled in the emulated
 * account; the kms-key-deletion scenarios' records (with moto's key ids) go to `riposte serve
 * --remediate live`, and both keys are Enabled again.
 */

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: KMS actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let kms: KMSClient;
  let scheduled: string;
  let disabled: string;
  const keyState = async (keyId: string) =>
    (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;

  beforeAll(async () => {
    live = await startServeLive();
    kms = new KMSClient(live.aws());

    // Arrange: the changes, made in the emulated account…
    scheduled = (await kms.send(new CreateKeyCommand({ Description: "orders" }))).KeyMetadata!.KeyId!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: scheduled, PendingWindowInDays: 7 }));
    disabled = (await kms.send(new CreateKeyCommand({ Description: "invoices" }))).KeyMetadata!.KeyId!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled }));

    // …and the scenarios' records, in one delivery.
    await live.deliver(
      ...scenarioRecords(
        STORAGE_PROTECTION_SCENARIOS,
        "kms-key-deletion",
        "a key scheduled for deletion by its key id",
        {
          [KEY_ID]: scheduled,
        },
      ),
      ...scenarioRecords(
        STORAGE_PROTECTION_SCENARIOS,
        "kms-key-deletion",
        "a key disabled by its ARN (response with the key's ARN)",
        { [KEY_ID]: disabled },
      ),
    );
  });
  afterAll(async () => {
    kms?.destroy();
    await live?.stop();
  });

  it("kms-key-deletion → kms-restore-key cancels the scheduled deletion and enables the key", async () => {
    const incident = await live.settle("kms-key-deletion", ["MITIGATED", "FAILED"], scheduled);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions[0]?.calls.map((call) => call.operation)).toEqual(["CancelKeyDeletion", "EnableKey"]);
    expect(await keyState(scheduled)).toBe("Enabled");
  });

  it("kms-key-deletion → kms-restore-key enables the disabled key", async () => {
    const incident = await live.settle("kms-key-deletion", ["MITIGATED", "FAILED"], disabled);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions[0]?.calls.map((call) => call.operation)).toEqual(["EnableKey"]);
    expect(await keyState(disabled)).toBe("Enabled");
  });
});
