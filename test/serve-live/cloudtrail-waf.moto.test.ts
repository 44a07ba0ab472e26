import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateIPSetCommand, GetIPSetCommand, WAFV2Client } from "@aws-sdk/client-wafv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IP, wafRecord } from "../fixtures/events/cloudtrail.js";
import { SCENARIOS } from "../fixtures/events/scenarios.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * CloudTrail and WAF, end to end: the scenario's trail ("main") stopped in the emulated account is
 * logging again; a scanner seen in a WAF log (web-scanning) is added to the configured IP set,
 * the other addresses kept.
 */

describe.skipIf(!motoAvailable())(
  motoSuite("riposte serve --remediate live: CloudTrail and WAF actions"),
  SUITE_OPTIONS,
  () => {
    let live: ServeLive;
    let trails: CloudTrailClient;
    let waf: WAFV2Client;
    let ipSetId: string;

    beforeAll(async () => {
      live = await startServeLive({
        remediation: async (aws) => {
          // The IP set Riposte blocks scanners in: named in the configuration, so made before serve starts.
          const setup = new WAFV2Client(aws);
          const created = await setup.send(
            new CreateIPSetCommand({
              Name: "scanners",
              Scope: "REGIONAL",
              IPAddressVersion: "IPV4",
              Addresses: ["198.51.100.0/24"],
            }),
          );
          ipSetId = created.Summary!.Id!;
          setup.destroy();
          return { wafIpSet: { name: "scanners", id: ipSetId, scope: "REGIONAL" } };
        },
      });
      trails = new CloudTrailClient(live.aws());
      waf = new WAFV2Client(live.aws());

      // Arrange: the trail stopped…
      const s3 = new S3Client({ ...live.aws(), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: "trail-logs" }));
      s3.destroy();
      await trails.send(new CreateTrailCommand({ Name: "main", S3BucketName: "trail-logs" }));
      await trails.send(new StartLoggingCommand({ Name: "main" }));
      await trails.send(new StopLoggingCommand({ Name: "main" }));

      // …and the records: StopLogging's, and a scanner's request in the WAF log.
      await live.deliver(
        ...scenarioRecords(SCENARIOS, "cloudtrail-tampering", "StopLogging"),
        wafRecord(IP.germany, Date.now(), "BLOCK", "sqlmap/1.7.2#stable (https://sqlmap.org)"),
      );
    });
    afterAll(async () => {
      trails?.destroy();
      waf?.destroy();
      await live?.stop();
    });

    it("cloudtrail-tampering → cloudtrail-start-logging starts the trail again", async () => {
      const incident = await live.settle("cloudtrail-tampering", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "cloudtrail-start-logging", outcome: "applied" }]);
      expect((await trails.send(new GetTrailStatusCommand({ Name: "main" }))).IsLogging).toBe(true);
    });

    it("web-scanning → waf-block-ip adds the scanner to the IP set, keeping the other addresses", async () => {
      const incident = await live.settle("web-scanning", ["MITIGATED", "FAILED"]);

      expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
      expect(incident.actions).toMatchObject([{ action: "waf-block-ip", outcome: "applied" }]);
      const { IPSet } = await waf.send(new GetIPSetCommand({ Name: "scanners", Scope: "REGIONAL", Id: ipSetId }));
      expect(IPSet?.Addresses?.sort()).toEqual([`${IP.germany}/32`, "198.51.100.0/24"].sort());
    });
  },
);
