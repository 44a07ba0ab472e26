import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { silentLogger } from "../../core/log.js";
import type { HealthResponse } from "../../core/model/api.js";
import { consoleLogin } from "../../test/fixtures/events/cloudtrail.js";
import { freePort } from "../../test/support/moto.js";
import { type Runtime, startRuntime } from "./runtime.js";

const TOKEN = "health-test-token-0123456789";
const runtimes: Runtime[] = [];
const clients: SQSClient[] = [];

afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  for (const client of clients.splice(0)) client.destroy();
});

/** The health answer; with the token (the default) in full, without it status and counts only. */
async function health(runtime: Runtime, token: string | null = TOKEN): Promise<HealthResponse> {
  const response = await fetch(`${runtime.url}/api/health`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(response.status).toBe(200);
  return (await response.json()) as HealthResponse;
}

describe("GET /api/health of riposte serve", () => {
  it("lists the intake and each live source with its lag, and is degraded while a source fails", async () => {
    // Arrange: a watched directory holding a file that has not settled yet (written two minutes ago,
    // settling takes ten), and a queue that cannot be reached (nothing listens on its port).
    const watched = mkdtempSync(join(tmpdir(), "riposte-health-watch-"));
    const waiting = join(watched, "trail.json");
    writeFileSync(waiting, JSON.stringify({ Records: [consoleLogin(false)] }));
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(waiting, twoMinutesAgo, twoMinutesAgo);
    const closedPort = await freePort();
    const sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${closedPort}`,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    clients.push(sqs);
    const config = parseConfig({
      sources: {
        watch: { dir: watched, pollSeconds: 0.1, settleSeconds: 600 },
        sqs: { queueUrl: `http://127.0.0.1:${closedPort}/123456789012/riposte-events`, waitSeconds: 1 },
      },
    });
    const runtime = await startRuntime({
      host: "127.0.0.1",
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), "riposte-health-data-")),
      config,
      demo: false,
      token: TOKEN,
      env: { AWS_REGION: "us-east-1" },
      logger: silentLogger,
      clients: { sqs },
    });
    runtimes.push(runtime);

    // Act
    await expect
      .poll(async () => (await health(runtime)).sources?.map((source) => Boolean(source.error)), { timeout: 10_000 })
      .toEqual([false, false, true]);
    await expect
      .poll(async () => (await health(runtime)).sources?.[1]?.lagSeconds ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const body = await health(runtime);

    // Assert
    expect(body.status).toBe("degraded");
    expect(body.remediation).toBe("dry-run");
    const [intake, watch, queue] = body.sources ?? [];
    expect(intake).toMatchObject({ name: "intake", lagSeconds: 0 });
    expect(watch?.name).toBe(`watch ${resolve(watched)}`);
    expect(watch?.lagSeconds).toBeGreaterThanOrEqual(119);
    expect(watch?.lagSeconds).toBeLessThan(600);
    expect(queue?.name).toBe("sqs riposte-events");
    expect(queue?.error).toMatch(/ECONNREFUSED|connect/i);
    // The queue is named, never its URL with the account.
    expect(JSON.stringify(body)).not.toContain("123456789012");
    // Without the token: the status and counts, no names, paths or error text.
    const open = await health(runtime, null);
    expect(open).toEqual({
      status: "degraded",
      version: body.version,
      startedAt: body.startedAt,
      remediation: "dry-run",
      counts: expect.objectContaining({ sources: 3, failingSources: 1 }),
    });
    expect(JSON.stringify(open)).not.toContain(watched);
  });

  it("is ok with the lag of the intake alone when no live source is configured", async () => {
    const runtime = await startRuntime({
      host: "127.0.0.1",
      port: 0,
      dataDir: mkdtempSync(join(tmpdir(), "riposte-health-data-")),
      config: parseConfig({}),
      demo: false,
      token: TOKEN,
      env: {},
      logger: silentLogger,
    });
    runtimes.push(runtime);

    const body = await health(runtime);

    expect(body).toMatchObject({
      status: "ok",
      remediation: "dry-run",
      counts: { pendingEvents: 0, queuedFindings: 0, deadLetteredFindings: 0, sources: 1, failingSources: 0 },
      sources: [{ name: "intake", lagSeconds: 0 }],
    });
    expect(body.sources).toHaveLength(1);
  });
});
