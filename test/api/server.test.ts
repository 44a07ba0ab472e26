import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { API_HEADERS } from "../../core/api/respond.js";
import { createLogger } from "../../core/log.js";
import type { EventsAcceptedResponse, IncidentListResponse } from "../../core/model/api.js";
import { makeIncident } from "../../core/store/contract/fixtures.js";
import { type Harness, INTAKE_TOKEN, startHarness, TOKEN } from "./harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A raw request, for what fetch will not send (a foreign Host header, a lying content-length). */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
) {
  const target = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("local server: HTTP API", () => {
  it("sends security headers and answers health without a token", async () => {
    harness = await startHarness({ remediation: "live" });

    const response = await harness.call("/api/health", { auth: false });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(body).toMatchObject({ status: "ok", remediation: "live" });
  });

  it("sends the AWS api function's security headers on every JSON answer, its own refusals included", async () => {
    harness = await startHarness({ limits: { maxEventsBodyBytes: 16 } });

    const answers = [
      await harness.call("/api/incidents"),
      await harness.call("/api/incidents", { auth: false }),
      await harness.call("/api/events", { method: "POST", body: "x".repeat(64) }),
      await harness.call("/nothing-here"),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 413, 404]);
    for (const answer of answers) {
      expect(Object.fromEntries(Object.keys(API_HEADERS).map((name) => [name, answer.headers.get(name)]))).toEqual(
        API_HEADERS,
      );
    }
  });

  it("refuses missing and wrong tokens on every protected route", async () => {
    harness = await startHarness();
    const routes: [string, string][] = [
      ["GET", "/api/incidents"],
      ["GET", "/api/incidents/x"],
      ["GET", "/api/incidents/x/audit?format=csv"],
      ["POST", "/api/incidents/x/approval"],
      ["GET", "/api/stats"],
      ["POST", "/api/events"],
    ];

    const statuses: number[] = [];
    for (const [method, path] of routes) {
      statuses.push((await harness.call(path, { method, auth: false })).status);
      statuses.push(
        (await harness.call(path, { method, auth: false, headers: { authorization: `Bearer ${TOKEN}x` } })).status,
      );
    }

    expect(statuses).toEqual(new Array(routes.length * 2).fill(401));
  });

  it("logs refused requests at warn with the caller's address, and never the token", async () => {
    const lines: string[] = [];
    harness = await startHarness({ logger: createLogger({ level: "warn", sink: (line) => lines.push(line) }) });

    await harness.call("/api/incidents", { auth: false, headers: { authorization: "Bearer guessed-token" } });
    await harness.call("/api/incidents");

    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "warn", msg: "api request refused", status: 401, remote: "127.0.0.1" }),
    ]);
    expect(lines.join("\n")).not.toContain("guessed-token");
  });

  it("answers a foreign Host header with 403 (DNS rebinding) and a loopback one normally", async () => {
    harness = await startHarness();

    const rebound = await rawRequest(harness.url, { path: "/api/health", headers: { host: "attacker.example:8787" } });
    const localhost = await rawRequest(harness.url, { path: "/api/health", headers: { host: "localhost:8787" } });

    expect(rebound.status).toBe(403);
    expect(localhost.status).toBe(200);
  });

  it("pages and filters incidents over HTTP", async () => {
    harness = await startHarness();
    for (let index = 0; index < 7; index++) {
      await harness.store.createIncident(makeIncident({ severity: index < 5 ? "critical" : "low" }));
    }

    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 5; page++) {
      const response = await harness.call(`/api/incidents?severity=critical&limit=2${cursor}`);
      const body = (await response.json()) as IncidentListResponse;
      seen.push(...body.items.map((item) => item.id));
      if (!body.nextCursor) break;
      cursor = `&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    const invalid = await harness.call("/api/incidents?limit=abc&since=never");

    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: string[] }).issues).toEqual([
      "since: expected an ISO 8601 date or time",
      "limit: expected a whole number",
    ]);
  });

  it("answers malformed JSON, wrong shapes and oversized bodies with JSON errors", async () => {
    const accepted: unknown[] = [];
    harness = await startHarness({
      limits: { maxEventsBodyBytes: 4096 },
      intake: async (body) => {
        accepted.push(body);
        return { accepted: 1, rejected: 0, errors: [] };
      },
    });
    const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
      harness!.call("/api/events", { method: "POST", body, headers });

    const malformed = await post("{not json");
    const scalar = await post("42");
    const oversized = await post(JSON.stringify({ Records: [{ blob: "x".repeat(10_000) }] }));
    const lying = await rawRequest(harness.url, {
      method: "POST",
      path: "/api/events",
      headers: {
        authorization: `Bearer ${INTAKE_TOKEN}`,
        "content-type": "application/json",
        "content-length": "100000",
      },
      body: "{}",
    });
    const good = await post(JSON.stringify({ Records: [] }));

    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^request body is not valid JSON/);
    expect(scalar.status).toBe(400);
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toEqual({ error: "request body is larger than 4096 bytes" });
    expect(lying.status).toBe(413);
    expect(good.status).toBe(202);
    expect((await good.json()) as EventsAcceptedResponse).toEqual({ accepted: 1, rejected: 0, errors: [] });
    expect(accepted).toEqual([{ Records: [] }]);
  });

  it("serves the dashboard for other paths and never the API's 404 as a page", async () => {
    const webRoot = mkdtempSync(join(tmpdir(), "riposte-web-"));
    writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>Riposte</title>");
    harness = await startHarness({ webRoot });

    const page = await harness.call("/incidents/abc", { auth: false });
    const missingApi = await harness.call("/api/nope");
    rmSync(webRoot, { recursive: true, force: true });

    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Riposte</title>");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(missingApi.status).toBe(404);
    expect(missingApi.headers.get("content-type")).toContain("application/json");
  });

  it("prints a dashboard URL that carries the token in the fragment only", async () => {
    harness = await startHarness();

    const link = harness.server.dashboardUrl("a b/c");

    expect(link).toBe(`${harness.url}/#token=a%20b%2Fc`);
  });
});
