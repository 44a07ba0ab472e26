import {
  DescribeHubCommand,
  DisableSecurityHubCommand,
  EnableSecurityHubCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { ACCOUNT, config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * securityhub-enable against moto: Security Hub disabled in the emulated account, then enabled
 * again by the detection's automatic response. moto 5.2 implements EnableSecurityHub,
 * DisableSecurityHub and DescribeHub, but not GetEnabledStandards, BatchDisableStandards,
 * BatchEnableStandards or ListTagsForResource: re-enabling standards, the hub's protected tag and
 * verification of standards are covered with aws-sdk-client-mock in
 * core/remediation/actions/securityhub.test.ts.
 */

describe.skipIf(!motoAvailable())(motoSuite("Security Hub actions"), () => {
  let moto: MotoServer;
  let securityhub: SecurityHubClient;
  beforeAll(async () => {
    moto = await startMoto();
    securityhub = new SecurityHubClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const disabled = (id: string) => ({
    ...incident("securityhub-disabled", { eventName: "DisableSecurityHub", standardsSubscriptionArns: [] }),
    id,
  });

  it("enables the disabled hub again, and is already done the second time", async () => {
    await securityhub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    await securityhub.send(new DisableSecurityHubCommand({}));

    const result = await runEndToEnd(disabled("inc-hub"), taskDeps(config()), motoGateway(moto.endpoint));
    const again = await runEndToEnd(disabled("inc-hub-again"), taskDeps(config()), motoGateway(moto.endpoint));

    const hub = await securityhub.send(new DescribeHubCommand({}));
    expect(hub.HubArn).toBe(`arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`);
    expect(result.actions[0]).toMatchObject({
      action: "securityhub-enable",
      outcome: "applied",
      calls: [{ operation: "EnableSecurityHub", params: { EnableDefaultStandards: false } }],
    });
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("leaves the hub disabled in dry-run", async () => {
    await securityhub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    await securityhub.send(new DisableSecurityHubCommand({}));

    const result = await runEndToEnd(
      disabled("inc-hub-dry"),
      taskDeps(config(), { mode: "dry-run" }),
      motoGateway(moto.endpoint),
    );

    await expect(securityhub.send(new DescribeHubCommand({}))).rejects.toThrow(/not subscribed/);
    expect(result.actions[0]?.outcome).not.toBe("applied");
  });
});
