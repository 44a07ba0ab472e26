import { randomUUID } from "node:crypto";
import {
  CreateEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  DescribeHubCommand,
  DisableSecurityHubCommand,
  EnableSecurityHubCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isToolRuleName } from "../../core/model/rule-names.js";
import { ACCOUNT, REGION } from "../fixtures/events/cloudtrail.js";
import { LOGGING_SCENARIOS } from "../fixtures/events/scenarios/logging.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * EventBridge and Security Hub, end to end: one of Riposte's own EventBridge rules disabled and
 * Security Hub disabled in the emulated account; the scenarios' records (the disabled rule renamed
 * to a rule Riposte deploys, `<stage>-riposte-<detection>` per core/model/rule-names.ts) go to
 * `riposte serve --remediate live` in one delivery, and both automatic responses turn them on
 * again. moto 5.2 implements EnableSecurityHub, DisableSecurityHub and DescribeHub but not the
 * standards APIs (GetEnabledStandards, BatchEnableStandards): only the hub itself is checked here;
 * re-enabling standards is covered with aws-sdk-client-mock in core/remediation/actions/securityhub.test.ts.
 */

/** A rule of Riposte's (stage `prod`, the cloudtrail-tampering detection's rule), in place of the scenario's other tool's rule. */
const RULE = "prod-riposte-cloudtrail-tampering";
/** The same detection's rule on Riposte's organization bus, named by its ARN in the record. */
const ORG_BUS = "prod-riposte-organization";
const ORG_RULE = "prod-riposte-guardduty-disabled";
/** A rule that reads read-only calls: deployed ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
const READ_ONLY_RULE = "prod-riposte-access-key-anomalous-use";
/** The scenario's own rule: another tool's, left alone. */
const OTHER_RULE = "siem-forwarding";
const PATTERN = JSON.stringify({ source: ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"] });

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: EventBridge and Security Hub actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let events: EventBridgeClient;
    let securityhub: SecurityHubClient;

    beforeAll(async () => {
      live = await startServeLive();
      events = new EventBridgeClient(live.aws());
      securityhub = new SecurityHubClient(live.aws());

      // Arrange: Riposte's rule disabled and the hub switched off…
      await events.send(new CreateEventBusCommand({ Name: ORG_BUS }));
      const rules: [string, string, "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"][] = [
        [RULE, "default", "ENABLED"],
        [ORG_RULE, ORG_BUS, "ENABLED"],
        [READ_ONLY_RULE, "default", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"],
        [OTHER_RULE, "default", "ENABLED"],
      ];
      for (const [Name, EventBusName, State] of rules) {
        await events.send(
          new PutRuleCommand({ Name, EventBusName, EventPattern: PATTERN, Description: "Riposte rule", State }),
        );
        await events.send(new DisableRuleCommand({ Name, EventBusName }));
      }
      await securityhub.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
      await securityhub.send(new DisableSecurityHubCommand({}));

      // …and the scenarios' records, in one delivery.
      // One scenario record, four rules: each copy gets its own eventID (the intake drops a repeated one).
      const disabled = (name: string, eventBusName?: string) =>
        scenarioRecords(LOGGING_SCENARIOS, "eventbridge-rule-disabled", "an EventBridge rule disabled", {
          [OTHER_RULE]: name,
        }).map((record) => ({
          ...record,
          eventID: randomUUID(),
          ...(eventBusName ? { requestParameters: { ...(record.requestParameters as object), eventBusName } } : {}),
        }));
      await live.deliver(
        ...disabled(RULE),
        ...disabled(ORG_RULE, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${ORG_BUS}`),
        ...disabled(READ_ONLY_RULE),
        ...disabled(OTHER_RULE),
        ...scenarioRecords(LOGGING_SCENARIOS, "securityhub-disabled", "Security Hub disabled"),
      );
    });
    afterAll(async () => {
      events?.destroy();
      securityhub?.destroy();
      await live?.stop();
    });

    it("eventbridge-rule-disabled → eventbridge-enable-rule turns Riposte's rule back on, its pattern kept", async () => {
      const incident = await live.settle("eventbridge-rule-disabled", ["MITIGATED", "FAILED"], RULE);

      expect(isToolRuleName(RULE)).toBe(true);
      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([
        { action: "eventbridge-enable-rule", outcome: "applied", calls: [{ operation: "EnableRule" }] },
      ]);
      expect(await events.send(new DescribeRuleCommand({ Name: RULE }))).toMatchObject({
        State: "ENABLED",
        EventPattern: PATTERN,
        Description: "Riposte rule",
      });
    });

    it("eventbridge-rule-disabled → eventbridge-enable-rule enables Riposte's rule on the bus the record names by ARN", async () => {
      const incident = await live.settle("eventbridge-rule-disabled", ["MITIGATED", "FAILED"], ORG_RULE);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([
        {
          action: "eventbridge-enable-rule",
          outcome: "applied",
          calls: [{ operation: "EnableRule", params: { Name: ORG_RULE, EventBusName: ORG_BUS } }],
        },
      ]);
      const rule = await events.send(new DescribeRuleCommand({ Name: ORG_RULE, EventBusName: ORG_BUS }));
      expect(rule.State).toBe("ENABLED");
    });

    it("eventbridge-rule-disabled → eventbridge-enable-rule puts a read-only rule back in its deployed state", async () => {
      const incident = await live.settle("eventbridge-rule-disabled", ["MITIGATED", "FAILED"], READ_ONLY_RULE);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([
        { action: "eventbridge-enable-rule", outcome: "applied", calls: [{ operation: "PutRule" }] },
      ]);
      expect(await events.send(new DescribeRuleCommand({ Name: READ_ONLY_RULE }))).toMatchObject({
        State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        EventPattern: PATTERN,
        Description: "Riposte rule",
      });
    });

    it("eventbridge-rule-disabled on another tool's rule: notified, the rule left disabled", async () => {
      const incident = await live.settle(
        "eventbridge-rule-disabled",
        ["MITIGATED", "FAILED", "NOTIFIED", "DISMISSED"],
        OTHER_RULE,
      );

      expect(incident.status).toBe("NOTIFIED");
      expect(incident.actions ?? []).toEqual([]);
      expect((await events.send(new DescribeRuleCommand({ Name: OTHER_RULE }))).State).toBe("DISABLED");
    });

    it("securityhub-disabled → securityhub-enable turns the hub back on", async () => {
      const incident = await live.settle("securityhub-disabled", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([
        {
          action: "securityhub-enable",
          outcome: "applied",
          calls: [{ operation: "EnableSecurityHub", params: { EnableDefaultStandards: false } }],
        },
      ]);
      const hub = await securityhub.send(new DescribeHubCommand({}));
      expect(hub.HubArn).toBe(`arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`);
    });
  },
);
