import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { detect, ids, of } from "../../test/detections/harness.js";
import {
  albLine,
  authorizeIngress,
  consoleLogin,
  createSecurityGroup,
  guardDutyFinding,
  IP,
  iam,
  identity,
  publicReadPolicy,
  record,
  revokeIngress,
  s3,
  wafRecord,
} from "../../test/fixtures/events/cloudtrail.js";
import { at } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import { createLogger } from "../log.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { SqliteCorrelationStore } from "../store/sqlite/correlation.js";
import { createDetectionEngine } from "./engine.js";

const open22 = [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }];

describe("stateful findings", () => {
  it("brute force lists the failures it counted, consumes them, and fires again on a new burst", async () => {
    const failures = [0, 1, 2, 3, 4, 5].map((minute) =>
      consoleLogin(false, { time: at(minute), ip: minute < 3 ? IP.germany : IP.china }),
    );

    const findings = of(await detect(failures), "console-login-brute-force");

    expect(findings).toHaveLength(2);
    expect(findings[0]?.eventIds).toEqual(failures.slice(0, 3).map((failure) => failure.eventID));
    expect(findings[0]?.facts).toMatchObject({ userName: "alice", sourceIps: [IP.germany] });
    expect(findings[1]?.eventIds).toEqual(failures.slice(3).map((failure) => failure.eventID));
    expect(findings[0]?.summary).toContain("3 failed console sign-ins");
  });

  it("does not count a duplicate delivery of the same failure twice", async () => {
    const failure = consoleLogin(false, { time: at(0) });

    const findings = await detect([failure, structuredClone(failure), consoleLogin(false, { time: at(1) })]);

    expect(of(findings, "console-login-brute-force")).toEqual([]);
  });

  it("impossible travel names both events, the distance and the speed", async () => {
    const first = consoleLogin(true, { time: at(0), ip: IP.london });
    const second = iam("ListUsers", null, null, {
      time: at(30),
      ip: IP.china,
      user: identity.user("alice", "AKIAIOSFODNN7EXAMPLE"),
    });
    const finding = of(await detect([first, second]), "impossible-travel")[0];

    expect(finding?.eventIds).toEqual([first.eventID, second.eventID]);
    expect(finding?.facts.distanceKm).toBeGreaterThan(7000);
    expect(finding?.facts.speedKmh).toBeGreaterThan(14000);
    expect(finding?.summary).toMatch(/GB.*CN|Bracknell.*CN/);
  });

  it("anomalous key use names the new country and network", async () => {
    const findings = await detect([
      iam("ListUsers", null, null, { time: at(0), ip: IP.london }),
      iam("ListUsers", null, null, { time: at(5), ip: IP.plymouth }),
      iam("ListUsers", null, null, { time: at(10), ip: IP.china }),
    ]);
    const anomalies = of(findings, "access-key-anomalous-use");

    expect(anomalies.map((finding) => finding.facts.newPlaces)).toEqual([["asn:5607"], ["country:CN", "asn:4837"]]);
    expect(anomalies[1]?.facts).toMatchObject({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", country: "CN" });
  });

  it("sg-risk-resolved names what it resolves, depending on what stays open", async () => {
    const partial = await detect([
      authorizeIngress("sg-1", [...open22, { from: 443, to: 443, cidrs: ["0.0.0.0/0"] }], { time: at(0) }),
      revokeIngress("sg-1", open22, { time: at(5) }),
    ]);
    const full = await detect([
      authorizeIngress("sg-1", open22, { time: at(0) }),
      revokeIngress("sg-1", open22, { time: at(5) }),
    ]);

    const partialResolves = of(partial, "sg-risk-resolved")[0]?.resolves;
    const fullResolves = of(full, "sg-risk-resolved")[0]?.resolves;
    expect(partialResolves?.resource).toBe("sg-1");
    expect(partialResolves?.detections).toContain("sg-ssh-open-world");
    expect(partialResolves?.detections).not.toContain("sg-created-open");
    expect(fullResolves?.detections).toEqual(
      expect.arrayContaining(["sg-ssh-open-world", "sg-created-open", "sg-zombie-rule"]),
    );
    expect(fullResolves?.facts).toEqual({
      groupId: "sg-1",
      rules: [expect.objectContaining({ fromPort: 22, cidrIpv4: "0.0.0.0/0" })],
    });
  });

  it("a revoke by Riposte's own role cancels the zombie timer without reporting a resolution", async () => {
    const findings = await detect([
      authorizeIngress("sg-1", open22, { time: at(0) }),
      revokeIngress("sg-1", open22, { time: at(10), user: identity.riposte() }),
      record("ec2.amazonaws.com", "DescribeInstances", null, null, { time: at(26 * 60) }),
    ]);

    expect(ids(findings)).toEqual(["sg-ssh-open-world"]);
  });

  it("judges zombie rules at the opening time plus the configured hours, in SQLite state too", async () => {
    const db = new Database(":memory:");
    const opening = authorizeIngress("sg-z", open22, { time: at(0) });

    const findings = await detect(
      [opening, record("ec2.amazonaws.com", "DescribeInstances", null, null, { time: at(3 * 60) })],
      {
        config: { thresholds: { sgZombieRule: { hours: 2 } } },
        state: new SqliteCorrelationStore(db),
      },
    );
    db.close();

    const zombie = of(findings, "sg-zombie-rule")[0];
    expect(zombie?.time).toBe(at(120));
    expect(zombie?.eventIds).toEqual([opening.eventID]);
    expect(zombie?.facts).toMatchObject({ groupId: "sg-z", openedAt: at(0) });
  });

  it("hands storage findings the configuration seen before", async () => {
    const earlier = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:*", Resource: "*" },
      ],
    };
    const findings = await detect([
      s3("PutBucketPolicy", "b", { bucketPolicy: earlier }, { time: at(0) }),
      s3("PutBucketPolicy", "b", { bucketPolicy: publicReadPolicy("b") }, { time: at(5) }),
      s3("DeleteBucketPolicy", "b", {}, { time: at(10) }),
    ]);

    expect(of(findings, "s3-bucket-policy-public")[0]?.facts.previousPolicy).toBe(JSON.stringify(earlier));
    expect(of(findings, "s3-bucket-policy-deleted")[0]?.facts.previousPolicy).toBe(
      JSON.stringify(publicReadPolicy("b")),
    );
  });

  it("sg-created-open lists the creation and the opening", async () => {
    const create = createSecurityGroup("sg-n", "n", {}, { time: at(0) });
    const open = authorizeIngress("sg-n", open22, { time: at(1) });

    const finding = of(await detect([create, open]), "sg-created-open")[0];

    expect(finding?.eventIds).toEqual([create.eventID, open.eventID]);
    expect(finding?.facts).toMatchObject({ groupId: "sg-n", groupName: "n", riskyPorts: [22] });
  });

  it("reports one scanner finding per client and window", async () => {
    const requests = [0, 1, 2].map((i) => wafRecord(IP.germany, Date.parse(at(i)), "BLOCK", "Nikto/2.5.0"));

    const findings = of(await detect(requests), "web-scanning");

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ resource: IP.germany, sourceIp: IP.germany, facts: { scanner: "nikto" } });
  });

  it("web scanning skips scanners in trustedCidrs (IPv4 and IPv6) and still reports the others", async () => {
    const trustedV6 = "2001:db8::7";
    const untrustedV6 = "2001:db9::7";
    const requests = [IP.office, IP.germany, trustedV6, untrustedV6].map((ip, i) =>
      wafRecord(ip, Date.parse(at(i)), "BLOCK", "Nikto/2.5.0"),
    );

    const findings = of(
      await detect(requests, { config: { trustedCidrs: ["10.0.0.0/8", "2001:db8::/32"] } }),
      "web-scanning",
    );

    expect(findings.map((finding) => finding.sourceIp)).toEqual([IP.germany, untrustedV6]);
  });

  it("web scanning does not count a trusted client's client errors towards a burst", async () => {
    const burst = (ip: string) =>
      Array.from({ length: 120 }, (_, i) => albLine(new Date(Date.parse(at(0)) + i * 400).toISOString(), ip, 404));
    const config = { trustedCidrs: ["10.0.0.0/8", "2001:db8::/32"] };

    const trusted = of(await detect([...burst(IP.office), ...burst("2001:db8::7")], { config }), "web-scanning");
    const untrusted = of(await detect(burst(IP.germany), { config }), "web-scanning");

    expect(trusted).toEqual([]);
    expect(untrusted.map((finding) => finding.facts)).toEqual([expect.objectContaining({ requests: 100 })]);
  });

  it("carries GuardDuty's facts for remediation", async () => {
    const finding = of(
      await detect([guardDutyFinding("UnauthorizedAccess:IAMUser/TorIPCaller", 8.2)]),
      "guardduty-finding",
    )[0];

    expect(finding).toMatchObject({ severity: "high", resource: "AKIAIOSFODNN7EXAMPLE", sourceIp: IP.germany });
    expect(finding?.facts).toMatchObject({
      findingType: "UnauthorizedAccess:IAMUser/TorIPCaller",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      userName: "alice",
      guardDutySeverity: 8.2,
    });
  });
});

describe("createDetectionEngine", () => {
  const events = (records: unknown[]) => normalizeRecords(records).events;

  it("skips disabled detections and runs only the ones asked for", async () => {
    const record = authorizeIngress("sg-1", open22);
    const disabled = createDetectionEngine({
      config: parseConfig({ detections: { "sg-ssh-open-world": { enabled: false } } }),
      state: new MemoryCorrelationStore(),
    });
    const onlyStateful = createDetectionEngine({
      config: parseConfig({}),
      state: new MemoryCorrelationStore(),
      detections: ["sg-zombie-rule", "sg-repeated-open"],
    });

    const fromDisabled = await disabled.process(events([record])[0]!);
    const fromStateful = await onlyStateful.process(events([structuredClone(record)])[0]!);

    expect(ids(fromDisabled)).not.toContain("sg-ssh-open-world");
    expect(fromStateful).toEqual([]);
  });

  it("processes a redelivered event once when asked to dedupe", async () => {
    const engine = createDetectionEngine({
      config: parseConfig({}),
      state: new MemoryCorrelationStore(),
      dedupe: true,
    });
    const [event] = events([authorizeIngress("sg-1", open22)]);

    const first = await engine.process(event!);
    const again = await engine.process(event!);

    expect(ids(first)).toContain("sg-ssh-open-world");
    expect(again).toEqual([]);
  });

  it("keeps going when one detection's state fails, logging which", async () => {
    const lines: string[] = [];
    const state = new MemoryCorrelationStore();
    const put = state.put.bind(state);
    state.put = async (key, value, options) => {
      if (key.startsWith("bruteforce|")) throw new Error("disk full");
      return put(key, value, options);
    };
    const engine = createDetectionEngine({
      config: parseConfig({}),
      state,
      logger: createLogger({ level: "warn", sink: (line) => lines.push(line) }),
    });

    const findings = await engine.process(events([consoleLogin(false)])[0]!);

    expect(ids(findings)).toEqual(["console-login-failure"]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ msg: "detection failed on an event", detection: "console-login-brute-force" }),
    ]);
  });

  it("processBatch finds what process finds one event at a time, in the same order", async () => {
    const records = [
      createSecurityGroup("sg-b", "b", {}, { time: at(0) }),
      authorizeIngress("sg-b", open22, { time: at(1) }),
      ...[2, 3, 4].map((minute) => consoleLogin(false, { time: at(minute) })),
      iam("ListUsers", null, null, { time: at(5), ip: IP.london }),
      iam("ListUsers", null, null, { time: at(6), ip: IP.china }),
      revokeIngress("sg-b", open22, { time: at(7) }),
    ];
    const one = createDetectionEngine({ config: parseConfig({}), state: new MemoryCorrelationStore() });
    const batch = createDetectionEngine({ config: parseConfig({}), state: new MemoryCorrelationStore() });
    const list = events(records);

    const separately = [];
    for (const event of list) separately.push(...(await one.process(event)));
    const together = await batch.processBatch(list);

    expect(ids(together)).toEqual(ids(separately));
    expect(ids(together)).toEqual(
      expect.arrayContaining([
        "sg-created-open",
        "console-login-brute-force",
        "access-key-anomalous-use",
        "sg-risk-resolved",
      ]),
    );
  });

  it("hands out a fresh array for every event, even when nothing fired", async () => {
    const engine = createDetectionEngine({ config: parseConfig({}), state: new MemoryCorrelationStore() });
    const [a, b] = events([
      record("ec2.amazonaws.com", "DescribeVpcs", null, null),
      record("ec2.amazonaws.com", "DescribeVpcs", null, null),
    ]);

    const first = await engine.process(a!);
    first.push({} as never);
    const second = await engine.process(b!);

    expect(second).toEqual([]);
  });

  it("reports the latest event time and finishes with nothing when nothing was read", async () => {
    const engine = createDetectionEngine({ config: parseConfig({}), state: new MemoryCorrelationStore() });

    expect(await engine.finish()).toEqual([]);
    await engine.process(events([consoleLogin(true, { time: at(5) })])[0]!);
    expect(engine.latestTime).toBe(Date.parse(at(5)));
  });
});
