import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EventsAcceptedResponse, HealthResponse } from "../../core/model/api.js";
import { sshOpenToWorld } from "../e2e/support/events.js";
import { consoleLogin } from "../fixtures/events/cloudtrail.js";
import { api, listIncidents, type Served, serve, sleep, stopAll, tempDir, waitFor } from "../serve/support/riposte.js";
import { freePort } from "../support/moto.js";

/**
 * Hostile input against the real `riposte serve` (a child process, over 127.0.0.1): one event
 * that cannot become a workflow must not hold back every finding after it, even across a
 * restart; an event dated in the future must not expire the correlation state of the events
 * after it; and the unauthenticated health answer gives numbers, never error text or names.
 */

const dirs: { remove(): void }[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of dirs) dir.remove();
});

function setUp(config: unknown = {}): { dataDir: string; configPath: string } {
  const dir = tempDir("riposte-adversarial-intake-");
  dirs.push(dir);
  const configPath = join(dir.path, "riposte.json");
  writeFileSync(configPath, JSON.stringify(config));
  return { dataDir: join(dir.path, "data"), configPath };
}

/** Each case starts (and one restarts) a real server: more than the default 30 s on a busy machine. */
const SERVE_TIMEOUT_MS = 120_000;

const groupId = (n: number) => `sg-${(0xadd00 + n).toString(16).padStart(17, "0")}`;

function postEvents(url: string, records: unknown[]) {
  return api<EventsAcceptedResponse & { error?: string }>(url, "/api/events", {
    method: "POST",
    body: { Records: records },
  });
}

async function publicHealth(url: string): Promise<HealthResponse> {
  const response = await fetch(`${url}/api/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as HealthResponse;
}

async function incidentsOf(url: string, detection: string) {
  return (await listIncidents(url)).filter((item) => item.detection === detection);
}

async function expectIncidentsFor(served: Served, groups: string[]) {
  await waitFor(
    `incidents for ${groups.join(", ")}`,
    async () => {
      const resources = new Set((await listIncidents(served.url)).map((item) => item.resource));
      return groups.every((group) => resources.has(group)) ? true : undefined;
    },
    30_000,
    served.output,
  );
}

describe("adversarial intake of riposte serve", () => {
  it(
    "refuses an event with a 1 MB userAgent by its index and reason; the 5 valid events after it become incidents",
    async () => {
      // Arrange: the oversized event is the oldest, so before the bounds its finding came first.
      const { dataDir, configPath } = setUp();
      const served = await serve({ dataDir, configPath });
      const base = Date.now() - 600_000;
      const poison = sshOpenToWorld(groupId(0), new Date(base), "A".repeat(1024 * 1024));
      const groups = [1, 2, 3, 4, 5].map(groupId);
      const valid = groups.map((group, i) => sshOpenToWorld(group, new Date(base + (i + 1) * 1000)));

      // Act
      const answer = await postEvents(served.url, [poison, ...valid]);

      // Assert: told which record and why; the others accepted and all detected.
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 5, rejected: 1 });
      expect(answer.body.errors).toEqual([
        { index: 0, error: expect.stringMatching(/^record\.userAgent is 1024 KiB/) },
      ]);
      await expectIncidentsFor(served, groups);
      expect((await listIncidents(served.url)).map((item) => item.resource)).not.toContain(groupId(0));
    },
    SERVE_TIMEOUT_MS,
  );

  it(
    "refuses an event dated 2099 and still detects a brute force posted after it",
    async () => {
      // Arrange: the periodic jobs (the correlation sweep among them) run every second.
      const { dataDir, configPath } = setUp({ runtime: { jobsSeconds: 1 } });
      const served = await serve({ dataDir, configPath });
      const future = consoleLogin(true, { time: "2099-01-01T00:00:00Z" });

      // Act
      const refused = await postEvents(served.url, [future]);
      // Three failed console logins within the window, each its own delivery with sweeps between.
      const start = Date.now() - 180_000;
      for (let i = 0; i < 3; i++) {
        const answer = await postEvents(served.url, [
          consoleLogin(false, { time: new Date(start + i * 30_000).toISOString().replace(/\.\d{3}Z$/, "Z") }),
        ]);
        expect(answer.status).toBe(202);
        await sleep(1500);
      }

      // Assert
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ accepted: 0, rejected: 1 });
      expect(refused.body.errors).toEqual([
        { index: 0, error: expect.stringMatching(/^eventTime 2099-01-01T00:00:00Z is in the future/) },
      ]);
      await waitFor(
        "the brute-force incident",
        async () => ((await incidentsOf(served.url, "console-login-brute-force")).length > 0 ? true : undefined),
        30_000,
        served.output,
      );
    },
    SERVE_TIMEOUT_MS,
  );

  it(
    "dead-letters a finding whose workflow cannot start, counts it in health, and starts the findings behind it, also after a restart",
    async () => {
      // Arrange: limits raised by the operator, so an event of 150 KiB is accepted; its finding
      // carries the user agent and the record as evidence, over the 256 KiB workflow input quota.
      const { dataDir, configPath } = setUp({ runtime: { maxEventBytes: 192 * 1024, maxEventFieldBytes: 192 * 1024 } });
      let served = await serve({ dataDir, configPath });
      const base = Date.now() - 600_000;
      const tooBig = sshOpenToWorld(groupId(10), new Date(base), "B".repeat(150 * 1024));
      const behind = [11, 12].map(groupId);

      // Act
      const answer = await postEvents(served.url, [
        tooBig,
        ...behind.map((g, i) => sshOpenToWorld(g, new Date(base + (i + 1) * 1000))),
      ]);

      // Assert: accepted, the findings behind it started, the unstartable one counted.
      expect(answer.body).toMatchObject({ accepted: 3, rejected: 0 });
      await expectIncidentsFor(served, behind);
      const counts = await waitFor("a dead-lettered finding", async () => {
        const health = await publicHealth(served.url);
        return health.counts?.deadLetteredFindings === 1 ? health.counts : undefined;
      });
      expect(counts).toMatchObject({ queuedFindings: 0, deadLetteredFindings: 1 });
      const detail = await api<HealthResponse>(served.url, "/api/health");
      expect(detail.body.deadLetters).toEqual([
        expect.objectContaining({
          detection: "sg-ssh-open-world",
          reason: expect.stringMatching(/InvalidExecutionInput/),
        }),
      ]);

      // Act: a crash and a restart on the same data directory, then a new event.
      await served.stop("SIGKILL");
      served = await serve({ dataDir, configPath });
      await postEvents(served.url, [sshOpenToWorld(groupId(13), new Date(base + 10_000))]);

      // Assert: the dead letter stays set aside (counted), and nothing waits behind it.
      await expectIncidentsFor(served, [groupId(13)]);
      expect((await publicHealth(served.url)).counts).toMatchObject({ queuedFindings: 0, deadLetteredFindings: 1 });
    },
    SERVE_TIMEOUT_MS,
  );

  it(
    "answers /api/health without a token with the status and counts only: no error text, no source names",
    async () => {
      // Arrange: a queue that cannot be reached (nothing listens on its port).
      const closedPort = await freePort();
      const { dataDir, configPath } = setUp({
        sources: {
          sqs: { queueUrl: `http://127.0.0.1:${closedPort}/123456789012/riposte-secret-queue`, waitSeconds: 1 },
        },
      });
      const served = await serve({
        dataDir,
        configPath,
        env: { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" },
      });

      // Act
      const open = await waitFor("the failing queue", async () => {
        const health = await publicHealth(served.url);
        return health.status === "degraded" ? health : undefined;
      });
      const withToken = await api<HealthResponse>(served.url, "/api/health");
      const wrongToken = await api<HealthResponse>(served.url, "/api/health", { token: "not-the-token-0000000000" });

      // Assert: numbers only without a (valid) token; the detail with one.
      const text = JSON.stringify(open);
      for (const secret of ["riposte-secret-queue", "sqs", "ECONNREFUSED", "connect", dataDir]) {
        expect(text).not.toContain(secret);
      }
      expect(Object.keys(open).sort()).toEqual(["counts", "remediation", "startedAt", "status", "version"]);
      expect(open.counts).toMatchObject({ sources: 2, failingSources: 1 });
      expect(wrongToken.body).toEqual(open);
      expect(withToken.body.sources?.map((source) => source.name)).toEqual(["intake", "sqs riposte-secret-queue"]);
      expect(withToken.body.sources?.[1]?.error).toBeTruthy();
    },
    SERVE_TIMEOUT_MS,
  );
});
