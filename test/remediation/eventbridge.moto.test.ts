import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { explainPlan } from "../../core/remediation/policy.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * eventbridge-enable-rule against moto: a rule of Riposte's disabled in the emulated account is
 * enabled again by the detection's automatic response, in the state the deployment declares it
 * with; another tool's rule is left disabled.
 */

describe.skipIf(!motoAvailable())(motoSuite("EventBridge actions"), () => {
  let moto: MotoServer;
  let events: EventBridgeClient;
  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const PATTERN = JSON.stringify({ source: ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"] });

  async function disabledRule(
    name: string,
    bus: string,
    state: "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
  ) {
    if (bus !== "default") await events.send(new CreateEventBusCommand({ Name: bus }));
    await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: bus,
        EventPattern: PATTERN,
        Description: "Riposte rule",
        State: state,
      }),
    );
    await events.send(new DisableRuleCommand({ Name: name, EventBusName: bus }));
  }
  const disabled = (id: string, ruleName: string, eventBusName = "default") => ({
    ...incident("eventbridge-rule-disabled", { eventName: "DisableRule", ruleName, eventBusName }),
    id,
  });
  const read = (Name: string, EventBusName = "default") => events.send(new DescribeRuleCommand({ Name, EventBusName }));

  it("enables Riposte's rule on the org bus again, and is already done the second time", async () => {
    await disabledRule("prod-riposte-sg-ssh-open-world", "riposte-org", "ENABLED");
    const run = (id: string) =>
      runEndToEnd(
        disabled(id, "prod-riposte-sg-ssh-open-world", "riposte-org"),
        taskDeps(config()),
        motoGateway(moto.endpoint),
      );

    const result = await run("inc-rule");
    const again = await run("inc-rule-again");

    expect((await read("prod-riposte-sg-ssh-open-world", "riposte-org")).State).toBe("ENABLED");
    expect(result.actions[0]).toMatchObject({
      action: "eventbridge-enable-rule",
      outcome: "applied",
      calls: [
        { operation: "EnableRule", params: { Name: "prod-riposte-sg-ssh-open-world", EventBusName: "riposte-org" } },
      ],
    });
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("restores a read-only rule to ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, its pattern kept", async () => {
    await disabledRule(
      "prod-riposte-access-key-anomalous-use",
      "default",
      "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    );

    const result = await runEndToEnd(
      disabled("inc-ro", "prod-riposte-access-key-anomalous-use"),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(await read("prod-riposte-access-key-anomalous-use")).toMatchObject({
      State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      EventPattern: PATTERN,
      Description: "Riposte rule",
    });
    expect(result.actions[0]).toMatchObject({ outcome: "applied", calls: [{ operation: "PutRule" }] });
    expect(result.verification.verified).toBe(true);
  });

  it("leaves another tool's rule disabled, saying why", async () => {
    await disabledRule("orders-nightly-sync", "default", "ENABLED");

    const other = disabled("inc-other", "orders-nightly-sync");

    const result = await runEndToEnd(other, taskDeps(config()), motoGateway(moto.endpoint));

    expect((await read("orders-nightly-sync")).State).toBe("DISABLED");
    expect(result.actions).toEqual([]);
    expect(explainPlan(other, config()).notes).toEqual([
      expect.stringMatching(/not one of Riposte's rules.*notify only/),
    ]);
  });
});
