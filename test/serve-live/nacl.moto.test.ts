import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IP, wafRecord } from "../fixtures/events/cloudtrail.js";
import { NETWORK_SCENARIOS } from "../fixtures/events/scenarios/network.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * Network ACL family, end to end: an inbound allow-all entry added to an ACL (the nacl-allow-all
 * scenario, with moto's ACL id) is deleted; a scanner seen in a WAF log (web-scanning) is denied
 * in the configured ACL, the response when no WAF IP set is configured.
 */

const SCENARIO_ACL = "acl-0a1b2c3d4e5f67890";

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: network ACL actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let ec2: EC2Client;
    let openedAcl: string;
    let denyAcl: string;
    const entries = async (aclId: string) =>
      (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] }))).NetworkAcls?.[0]?.Entries ?? [];

    beforeAll(async () => {
      live = await startServeLive({
        remediation: async (aws) => {
          // The ACL Riposte denies scanners in: named in the configuration, so made before serve starts.
          const setup = new EC2Client(aws);
          const { Vpc } = await setup.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }));
          const { NetworkAcl } = await setup.send(new CreateNetworkAclCommand({ VpcId: Vpc!.VpcId! }));
          denyAcl = NetworkAcl!.NetworkAclId!;
          setup.destroy();
          return { networkAcl: { id: denyAcl } };
        },
      });
      ec2 = new EC2Client(live.aws());

      // Arrange: an ACL opened to everything inbound (and outbound, which stays)…
      const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.30.0.0/16" }));
      openedAcl = (await ec2.send(new CreateNetworkAclCommand({ VpcId: Vpc!.VpcId! }))).NetworkAcl!.NetworkAclId!;
      const entry = { NetworkAclId: openedAcl, RuleNumber: 90, Protocol: "-1", RuleAction: "allow" as const };
      await ec2.send(new CreateNetworkAclEntryCommand({ ...entry, CidrBlock: "0.0.0.0/0", Egress: false }));
      await ec2.send(new CreateNetworkAclEntryCommand({ ...entry, CidrBlock: "0.0.0.0/0", Egress: true }));

      // …and the records: the entry's CloudTrail record, and a scanner's request in the WAF log.
      await live.deliver(
        ...scenarioRecords(NETWORK_SCENARIOS, "nacl-allow-all", "an inbound allow-all entry from 0.0.0.0/0", {
          [SCENARIO_ACL]: openedAcl,
        }),
        wafRecord(IP.germany, Date.now(), "BLOCK", "sqlmap/1.7.2#stable (https://sqlmap.org)"),
      );
    });
    afterAll(async () => {
      ec2?.destroy();
      await live?.stop();
    });

    it("nacl-allow-all → nacl-delete-allow-all-entry deletes the inbound entry and keeps the outbound one", async () => {
      const incident = await live.settle("nacl-allow-all", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "nacl-delete-allow-all-entry", outcome: "applied" }]);
      const after = await entries(openedAcl);
      expect(after.filter((e) => e.RuleNumber === 90).map((e) => e.Egress)).toEqual([true]);
    });

    it("web-scanning → nacl-deny-ip denies the scanner in the configured ACL", async () => {
      const incident = await live.settle("web-scanning", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "nacl-deny-ip", outcome: "applied" }]);
      const deny = (await entries(denyAcl)).find((e) => e.RuleAction === "deny" && e.CidrBlock === `${IP.germany}/32`);
      expect(deny).toMatchObject({ Egress: false, Protocol: "-1" });
    });
  },
);
