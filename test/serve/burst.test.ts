import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { scanFiles } from "../../core/engine/scan.js";
import { incidentIdFor } from "../../core/incidents/id.js";
import { silentLogger } from "../../core/log.js";
import type { HealthResponse } from "../../core/model/api.js";
import { isFinalStatus } from "../../core/model/status.js";
import { type Runtime, startRuntime } from "../../local/runtime/runtime.js";
import { publicBucketPolicy, rootConsoleLogin, sshOpenToWorld, stopLogging } from "../e2e/support/events.js";
import { consoleLogin, IP, identity, record, s3 } from "../fixtures/events/cloudtrail.js";
import { api, INTAKE_TOKEN, listIncidents, TOKEN, tempDir, waitFor } from "./support/riposte.js";

/**
 * Issue 7: a burst of 10,000 distinct CloudTrail events posted concurrently to the real
 * `riposte serve` runtime (durable intake, detection loop, workflows, incident store) yields
 * every expected incident once: nothing lost, nothing doubled. The expected incidents come from
 * `riposte scan`'s code over the same events, not from a number written here.
 *
 * The events are chosen so the outcome does not depend on arrival order (the posts race each
 * other): a few hundred detection-worthy ones, the rest everyday calls and sign-in typos that
 * only feed stateful detections without reaching their thresholds.
 */

const EVENTS = 10_000;
/** Requests in flight at once. */
const CONCURRENCY = 200;

/** Stateful detections see the failures; the per-failure notice is off, as its tuning suggests. */
// The burst comes in through POST /api/events; its automatic incidents stay automatic.
const CONFIG = parseConfig({
  detections: { "console-login-failure": { enabled: false } },
  remediation: { autoRemediateIntake: true },
});

type Json = Record<string, unknown>;
const isoSeconds = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A world-open SSH rule in a member account of an organization trail. */
function sshOpenInAccount(account: string, groupId: string, at: Date): Json {
  const event = sshOpenToWorld(groupId, at) as Json;
  const who = event.userIdentity as Json;
  return {
    ...event,
    recipientAccountId: account,
    userIdentity: { ...who, accountId: account, arn: `arn:aws:iam::${account}:user/alice` },
  };
}

/**
 * `EVENTS` distinct records within the last hour. Detection-worthy: three SSH openings in each
 * of 20 accounts (each also a repeated-open burst of exactly the threshold), 60 trails stopped,
 * 60 public bucket policies, 20 root sign-ins, 60 users with exactly three failed sign-ins
 * (brute force). Benign: 500 users with two failures each, and everyday calls of 40 callers,
 * each always from one address, region and key (no new-IP, new-region or key anomaly).
 */
function burstEvents(base: number): Json[] {
  const span = 50 * 60_000;
  const at = (offsetMs: number) => new Date(base + (offsetMs % span));
  const events: Json[] = [];
  for (let account = 0; account < 20; account++) {
    const id = `2100000${String(account).padStart(5, "0")}`;
    for (let group = 0; group < 3; group++) {
      const groupId = `sg-${(0xc0000 + account * 3 + group).toString(16).padStart(17, "0")}`;
      events.push(sshOpenInAccount(id, groupId, at(account * 17_000 + group * 5_000)));
    }
  }
  for (let trail = 0; trail < 60; trail++) events.push(stopLogging(`org-trail-${trail}`, at(trail * 23_000 + 1_000)));
  for (let bucket = 0; bucket < 60; bucket++) {
    events.push(publicBucketPolicy(`burst-reports-${bucket}`, at(bucket * 29_000 + 2_000)));
  }
  for (let login = 0; login < 20; login++) events.push(rootConsoleLogin(at(login * 61_000 + 3_000)));
  for (let user = 0; user < 60; user++) {
    const victim = identity.user(`victim-${user}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const time = isoSeconds(at(user * 13_000 + attempt * 7_000));
      events.push(consoleLogin(false, { user: victim, ip: IP.china, time }));
    }
  }
  for (let user = 0; user < 500; user++) {
    const staff = identity.user(`staff-${user}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      const time = isoSeconds(at(user * 11_000 + attempt * 30_000));
      events.push(consoleLogin(false, { user: staff, ip: IP.office, time }));
    }
  }
  const calls: [source: string, name: string, request: (user: string) => unknown][] = [
    ["ec2.amazonaws.com", "DescribeInstances", () => ({ instancesSet: {}, filterSet: {} })],
    ["ec2.amazonaws.com", "DescribeSecurityGroups", () => ({ securityGroupSet: {}, filterSet: {} })],
    ["sts.amazonaws.com", "GetCallerIdentity", () => null],
    ["iam.amazonaws.com", "GetUser", (user) => ({ userName: user })],
    ["cloudtrail.amazonaws.com", "LookupEvents", () => ({ maxResults: 50 })],
    [
      "ec2.amazonaws.com",
      "CreateTags",
      () => ({
        resourcesSet: { items: [{ resourceId: "i-0abc1234def567890" }] },
        tagSet: { items: [{ key: "team", value: "data" }] },
      }),
    ],
  ];
  const addresses = [IP.london, IP.tacoma, IP.sweden, IP.office, IP.montreal];
  const regions = ["us-east-1", "eu-west-1", "eu-central-1"];
  for (let n = 0; events.length < EVENTS; n++) {
    const caller = n % 40;
    const user = `svc-${caller}`;
    const options = {
      user: identity.user(user, `AKIABURST${String(caller).padStart(11, "0")}`),
      ip: addresses[caller % addresses.length],
      region: regions[caller % regions.length],
      time: isoSeconds(at(n * 331)),
    };
    if (n % 7 === 3) {
      events.push(s3("GetObject", `data-${caller}`, { key: `reports/${n}.csv` }, options));
    } else {
      const [source, name, request] = calls[n % calls.length]!;
      events.push(record(source, name, request(user), null, options));
    }
  }
  return events;
}

/** The incidents `riposte scan` finds in these events (incident id → detection). */
async function expectedIncidents(events: Json[], dir: string): Promise<Map<string, string>> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "burst.json");
  writeFileSync(file, JSON.stringify({ Records: events }));
  const expected = new Map<string, string>();
  const errors: unknown[] = [];
  await scanFiles({
    paths: [file],
    config: CONFIG,
    onFinding: (finding) => {
      expected.set(incidentIdFor(finding), finding.detection);
    },
    onError: (error) => errors.push(error),
  });
  expect(errors).toEqual([]);
  return expected;
}

/** A deterministic shuffle (so a failure can be replayed). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Request bodies: most events alone (a bare record), every fiftieth request a batch of 2 to 50
 * as `{"Records": […]}` or as a JSON array.
 */
function requestBodies(events: readonly Json[]): unknown[] {
  const bodies: unknown[] = [];
  for (let i = 0, n = 0; i < events.length; n++) {
    if (n % 50 !== 49) {
      bodies.push(events[i]);
      i += 1;
      continue;
    }
    const size = 2 + ((n * 7) % 49);
    const batch = events.slice(i, i + size);
    bodies.push(n % 2 === 0 ? { Records: batch } : batch);
    i += batch.length;
  }
  return bodies;
}

/** POST every body with `concurrency` requests in flight; the statuses and accepted counts. */
async function postAll(url: string, bodies: readonly unknown[], concurrency: number) {
  const statuses = new Map<number, number>();
  let accepted = 0;
  let rejected = 0;
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const answer = await api<{ accepted: number; rejected: number }>(url, "/api/events", { method: "POST", body });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      accepted += answer.body?.accepted ?? 0;
      rejected += answer.body?.rejected ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses: Object.fromEntries(statuses), accepted, rejected };
}

function inboxRows(dataDir: string): { total: number; pending: number; failed: number } {
  const db = new Database(join(dataDir, "detection.db"), { readonly: true });
  try {
    return db
      .prepare("SELECT count(*) AS total, count(*) - count(processed_at) AS pending, count(error) AS failed FROM inbox")
      .get() as { total: number; pending: number; failed: number };
  } finally {
    db.close();
  }
}

let runtime: Runtime | undefined;
const dir = tempDir("riposte-serve-burst-");
afterAll(async () => {
  await runtime?.close();
  dir.remove();
});

describe("riposte serve under a burst of 10,000 events", () => {
  it("opens every expected incident once, runs each workflow once to the end, and leaves no backlog", async () => {
    // Arrange
    const events = burstEvents(Date.now() - 3_600_000);
    expect(new Set(events.map((event) => event.eventID)).size).toBe(EVENTS);
    const expected = await expectedIncidents(events, join(dir.path, "scan"));
    expect(expected.size).toBeGreaterThan(100);
    expect(expected.size).toBeLessThan(1_000);
    const dataDir = join(dir.path, "data");
    runtime = await startRuntime({
      host: "127.0.0.1",
      port: 0,
      dataDir,
      config: CONFIG,
      demo: false,
      token: TOKEN,
      env: { RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN },
      logger: silentLogger,
    });
    expect(runtime.mode).toBe("dry-run");
    const bodies = requestBodies(shuffled(events, 7));

    // Act
    const posted = await postAll(runtime.url, bodies, CONCURRENCY);
    await runtime.detection.drained();
    const url = runtime.url;
    const store = runtime.store;
    const incidents = await waitFor(
      "every workflow to end with its incident in a final status",
      async () => {
        if ((await store.listExecutions({ status: "RUNNING" })).length > 0) return undefined;
        const items = await listIncidents(url);
        return items.every((item) => isFinalStatus(item.status)) ? items : undefined;
      },
      60_000,
      () => JSON.stringify(runtime?.detection.stats()),
    );

    // Assert: every answer accepted.
    expect(posted).toEqual({ statuses: { 202: bodies.length }, accepted: EVENTS, rejected: 0 });

    // The incidents are exactly the expected ones, each once, with the expected detection.
    const ids = incidents.map((item) => item.id);
    expect(new Set(ids).size, "no incident listed twice").toBe(ids.length);
    const missing = [...expected.keys()].filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.has(id));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    for (const item of incidents) expect(item.detection, item.id).toBe(expected.get(item.id));

    // Every event once in the inbox and through detection once, none pending or set aside.
    expect(inboxRows(dataDir)).toEqual({ total: EVENTS, pending: 0, failed: 0 });
    const health = await api<HealthResponse>(url, "/api/health");
    expect(health.body.status).toBe("ok");
    expect(health.body.sources?.[0]).toMatchObject({ name: "intake", lagSeconds: 0 });
    expect(runtime.detection.stats()).toMatchObject({
      processed: EVENTS,
      findings: expected.size,
      started: expected.size,
      deadLettered: 0,
    });

    // One execution per incident, started once and finished.
    const executions = await runtime.store.listExecutions();
    expect(executions.map((execution) => execution.incidentId).sort()).toEqual([...expected.keys()].sort());
    for (const execution of executions) {
      expect(execution.status, execution.incidentId).toBe("SUCCEEDED");
      const history = await runtime.store.getHistory(execution.executionArn);
      expect(history.filter((event) => event.type === "ExecutionStarted").length, execution.incidentId).toBe(1);
    }
  }, 180_000);
});
