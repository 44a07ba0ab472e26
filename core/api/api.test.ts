import { gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { ApprovalAlreadyDecided, NotAnApprover, NotFound } from "../errors.js";
import { silentLogger } from "../log.js";
import type { HealthResponse } from "../model/api.js";
import { HOSTILE_TEXT, makeIncident } from "../store/contract/fixtures.js";
import { MemoryStore } from "../store/memory.js";
import { MemoryExecutionStore } from "../store/memory-executions.js";
import { storeExecutionReader } from "./executions.js";
import { createApi } from "./index.js";
import type { ApiOptions, ApiRequest } from "./types.js";

const TOKEN = "test-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const INTAKE_TOKEN = "intake-token-0123456789";
const health = {
  status: "ok" as const,
  version: "0.0.0",
  startedAt: "2026-01-01T00:00:00.000Z",
  remediation: "dry-run" as const,
};

function setup(overrides: Partial<ApiOptions> = {}) {
  const store = new MemoryStore();
  const api = createApi({
    store,
    tokens: [{ token: TOKEN, principal: "dashboard:alice" }],
    intakeTokens: [{ token: INTAKE_TOKEN, principal: "intake" }],
    health: () => health,
    logger: silentLogger,
    now: () => new Date("2026-06-01T00:00:00.000Z"),
    ...overrides,
  });
  const call = (
    method: string,
    target: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
  ) => {
    const url = new URL(target, "http://127.0.0.1:8787");
    const request: ApiRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: { host: "127.0.0.1:8787", ...init.headers },
      scheme: "http",
      ...(init.body !== undefined
        ? { body: typeof init.body === "string" ? new TextEncoder().encode(init.body) : init.body }
        : {}),
    };
    return api.handle(request);
  };
  return { store, api, call };
}

const jsonHeaders = { ...AUTH, "content-type": "application/json" };

describe("api: authentication and routing", () => {
  it("serves health without a token and everything else only with one", async () => {
    const { call } = setup();

    const healthResponse = await call("GET", "/api/health");
    const missing = await call("GET", "/api/incidents");
    const wrong = await call("GET", "/api/incidents", { headers: { authorization: "Bearer nope" } });
    const basic = await call("GET", "/api/stats", { headers: { authorization: `Basic ${TOKEN}` } });
    const good = await call("GET", "/api/incidents", { headers: AUTH });

    expect(healthResponse.status).toBe(200);
    expect(JSON.parse(healthResponse.body)).toEqual(health);
    expect([missing.status, wrong.status, basic.status]).toEqual([401, 401, 401]);
    expect(JSON.parse(missing.body)).toEqual({ error: "missing bearer token" });
    expect(JSON.parse(wrong.body)).toEqual({ error: "invalid bearer token" });
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="riposte"');
    expect(good.status).toBe(200);
    expect(good.headers["cache-control"]).toBe("no-store");
  });

  it("shows health without a valid token as status and counts only, and in full with one", async () => {
    // Arrange: a health answer with source names, error text and dead-lettered findings.
    const detailed: HealthResponse = {
      ...health,
      status: "degraded",
      counts: {
        pendingEvents: 3,
        queuedFindings: 1,
        deadLetteredEvents: 0,
        deadLetteredFindings: 1,
        sources: 2,
        failingSources: 1,
      },
      sources: [
        { name: "intake", lagSeconds: 0 },
        { name: "watch /home/ops/trails", error: "EACCES: permission denied, scandir '/home/ops/trails'" },
      ],
      deadLetters: [
        {
          incidentId: "sg-ssh-open-world-1",
          detection: "sg-ssh-open-world",
          failedAt: health.startedAt,
          reason: "InvalidExecutionInput: too large",
        },
      ],
    };
    const { call } = setup({ health: () => detailed });

    // Act
    const anonymous = await call("GET", "/api/health");
    const wrong = await call("GET", "/api/health", { headers: { authorization: "Bearer nope" } });
    const holder = await call("GET", "/api/health", { headers: AUTH });

    // Assert
    expect([anonymous.status, wrong.status, holder.status]).toEqual([200, 200, 200]);
    const publicView = { ...health, status: "degraded", counts: detailed.counts };
    expect(JSON.parse(anonymous.body)).toEqual(publicView);
    expect(JSON.parse(wrong.body)).toEqual(publicView);
    for (const leak of ["/home/ops", "EACCES", "watch", "InvalidExecutionInput", "sg-ssh-open-world-1"]) {
      expect(anonymous.body).not.toContain(leak);
    }
    expect(JSON.parse(holder.body)).toEqual(detailed);
  });

  it("answers 404 for unknown paths and 405 with Allow for the wrong method", async () => {
    const { call } = setup();

    const unknown = await call("GET", "/api/nothing", { headers: AUTH });
    const wrongMethod = await call("DELETE", "/api/incidents", { headers: AUTH });

    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("GET");
  });

  it("refuses an id with control characters or broken percent-encoding", async () => {
    const { call } = setup();

    const control = await call("GET", "/api/incidents/a%00b", { headers: AUTH });
    const broken = await call("GET", "/api/incidents/%E0%A4%A", { headers: AUTH });

    expect(control.status).toBe(400);
    expect(broken.status).toBe(400);
  });
});

describe("api: CORS", () => {
  it("serves same-origin requests and refuses foreign origins without CORS headers", async () => {
    const { call } = setup();

    const same = await call("GET", "/api/incidents", { headers: { ...AUTH, origin: "http://127.0.0.1:8787" } });
    const foreign = await call("GET", "/api/incidents", { headers: { ...AUTH, origin: "https://evil.example" } });
    const preflight = await call("OPTIONS", "/api/incidents", {
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });

    expect(same.status).toBe(200);
    expect(same.headers["access-control-allow-origin"]).toBeUndefined();
    expect(foreign.status).toBe(403);
    expect(foreign.headers["access-control-allow-origin"]).toBeUndefined();
    expect(preflight.status).toBe(403);
  });

  it("allows exactly the configured origins, with a preflight that names methods and headers", async () => {
    const { call } = setup({ allowedOrigins: ["https://dash.example.com/"] });

    const preflight = await call("OPTIONS", "/api/incidents/x/approval", {
      headers: { origin: "https://dash.example.com", "access-control-request-method": "POST" },
    });
    const actual = await call("GET", "/api/incidents", { headers: { ...AUTH, origin: "https://dash.example.com" } });
    const lookalike = await call("GET", "/api/incidents", {
      headers: { ...AUTH, origin: "https://dash.example.com.evil.example" },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": "https://dash.example.com",
      "access-control-allow-headers": "authorization, content-type, content-encoding",
      vary: "Origin",
    });
    expect(actual.headers["access-control-allow-origin"]).toBe("https://dash.example.com");
    expect(lookalike.status).toBe(403);
  });
});

describe("api: incidents", () => {
  it("lists with filters and cursor pagination", async () => {
    const { store, call } = setup();
    for (let index = 0; index < 5; index++)
      await store.createIncident(makeIncident({ severity: index % 2 ? "low" : "high" }));

    const first = JSON.parse((await call("GET", "/api/incidents?severity=high&limit=2", { headers: AUTH })).body);
    const second = JSON.parse(
      (await call("GET", `/api/incidents?severity=high&limit=2&cursor=${first.nextCursor}`, { headers: AUTH })).body,
    );
    const bad = await call("GET", "/api/incidents?status=DONE", { headers: AUTH });
    const badCursor = await call("GET", "/api/incidents?cursor=zzz", { headers: AUTH });

    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    expect([...first.items, ...second.items].every((item: { severity: string }) => item.severity === "high")).toBe(
      true,
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).issues[0]).toMatch(/^status\.0: expected one of/);
    expect(badCursor.status).toBe(400);
  });

  it("returns an incident with its audit trail and execution history", async () => {
    const executions = new MemoryExecutionStore();
    const definition = { StartAt: "Open incident", States: {} };
    const { store, call } = setup({
      executions: storeExecutionReader(executions, (arn) => (arn.endsWith(":network") ? definition : undefined)),
    });
    const incident = makeIncident({ executionArn: "arn:aws:states:local:0:execution:network:x" });
    await store.createIncident(incident);
    await store.appendAudit({
      incidentId: incident.id,
      at: "2026-01-01T00:00:01.000Z",
      actor: "open",
      action: "opened",
    });
    await executions.putExecution({
      executionArn: incident.executionArn!,
      name: "x",
      stateMachineArn: "arn:aws:states:local:0:stateMachine:network",
      status: "RUNNING",
      startDate: "2026-01-01T00:00:00.000Z",
      input: {},
    });
    const started = { id: 1, previousEventId: 0, timestamp: "2026-01-01T00:00:00.000Z", type: "ExecutionStarted" };
    await executions.appendHistory(incident.executionArn!, [started]);

    const response = await call("GET", `/api/incidents/${incident.id}`, { headers: AUTH });
    const missing = await call("GET", "/api/incidents/nope", { headers: AUTH });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      incident,
      audit: [{ at: "2026-01-01T00:00:01.000Z", actor: "open", action: "opened" }],
      execution: {
        executionArn: incident.executionArn,
        name: "x",
        stateMachineArn: "arn:aws:states:local:0:stateMachine:network",
        status: "RUNNING",
        startDate: "2026-01-01T00:00:00.000Z",
        history: [started],
        definition,
      },
    });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: "incident nope does not exist" });
  });

  it("still returns the incident when the execution history cannot be read", async () => {
    const { store, call } = setup({
      executions: { describe: () => Promise.reject(new Error("ThrottlingException")) },
    });
    const incident = makeIncident({ executionArn: "arn:x" });
    await store.createIncident(incident);

    const response = await call("GET", `/api/incidents/${incident.id}`, { headers: AUTH });

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).execution).toBeUndefined();
  });

  it("exports the audit trail as JSON and as formula-safe CSV", async () => {
    const { store, call } = setup();
    const incident = makeIncident({ title: HOSTILE_TEXT });
    await store.createIncident(incident);
    await store.transition(incident.id, "TRIAGED", { at: "2026-01-01T00:01:00.000Z", by: "score", reason: "=1+1" });
    await store.appendAudit({
      incidentId: incident.id,
      at: "2026-01-01T00:00:30.000Z",
      actor: "@evil",
      action: "-notify.failed",
      detail: { error: '=HYPERLINK("http://evil")' },
    });

    const exported = await call("GET", `/api/incidents/${incident.id}/audit`, { headers: AUTH });
    const csv = await call("GET", `/api/incidents/${incident.id}/audit?format=csv`, { headers: AUTH });
    const bad = await call("GET", `/api/incidents/${incident.id}/audit?format=xml`, { headers: AUTH });

    const body = JSON.parse(exported.body);
    expect(body.exportedAt).toBe("2026-06-01T00:00:00.000Z");
    expect(body.incident.title).toBe(HOSTILE_TEXT);
    expect(body.trail.map((row: { action: string }) => row.action)).toEqual([
      "status.changed",
      "-notify.failed",
      "status.changed",
    ]);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toBe(`attachment; filename="riposte-audit-${incident.id}.csv"`);
    const lines = csv.body.split("\r\n");
    expect(lines[0]).toBe("incident_id,at,source,actor,action,detail");
    expect(lines[2]).toBe(
      `${incident.id},2026-01-01T00:00:30.000Z,audit,'@evil,'-notify.failed,"{""error"":""=HYPERLINK(\\""http://evil\\"")""}"`,
    );
    expect(bad.status).toBe(400);
  });

  it("computes stats over the filtered incidents", async () => {
    const { store, call } = setup();
    const done = makeIncident({ createdAt: "2026-01-01T00:00:00.000Z" });
    await store.createIncident(done);
    await store.createIncident(makeIncident({ category: "storage", detection: "s3-bucket-acl-public" }));
    await store.transition(done.id, "MITIGATED", { at: "2026-01-01T00:02:00.000Z", by: "record" });

    const all = JSON.parse((await call("GET", "/api/stats", { headers: AUTH })).body);
    const storage = JSON.parse((await call("GET", "/api/stats?category=storage", { headers: AUTH })).body);

    expect(all.total).toBe(2);
    expect(all.timeToRespond).toEqual({ mean: 120, p90: 120, count: 1 });
    expect(storage.total).toBe(1);
  });
});

describe("api: approvals", () => {
  it("passes the caller as approver and returns the decision", async () => {
    const decideApproval = vi.fn(
      async (args: { incidentId: string; decision: "approve" | "reject"; approver: string }) => ({
        incidentId: args.incidentId,
        decision: args.decision,
        approver: args.approver,
        at: "2026-06-01T00:00:00.000Z",
      }),
    );
    const { call } = setup({ decideApproval });

    const response = await call("POST", "/api/incidents/inc-1/approval", {
      headers: jsonHeaders,
      body: JSON.stringify({ decision: "approve", comment: "go" }),
    });

    expect(response.status).toBe(200);
    expect(decideApproval).toHaveBeenCalledWith({
      incidentId: "inc-1",
      decision: "approve",
      approver: "dashboard:alice",
      comment: "go",
      via: "dashboard",
    });
    expect(JSON.parse(response.body)).toMatchObject({ decision: "approve", approver: "dashboard:alice" });
  });

  it("answers malformed JSON, wrong shapes, wrong types and oversized bodies with clear errors", async () => {
    const decideApproval = vi.fn();
    const { call } = setup({ decideApproval, limits: { maxBodyBytes: 1024 } });
    const post = (body: string, headers: Record<string, string> = jsonHeaders) =>
      call("POST", "/api/incidents/inc-1/approval", { headers, body });

    const malformed = await post('{"decision": "approve",');
    const wrongShape = await post(JSON.stringify({ decision: "maybe", extra: 1 }));
    const empty = await post("");
    const wrongType = await post("decision=approve", { ...AUTH, "content-type": "application/x-www-form-urlencoded" });
    const oversized = await post(JSON.stringify({ decision: "approve", comment: "x".repeat(2000) }));

    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatch(/^request body is not valid JSON/);
    expect(wrongShape.status).toBe(400);
    expect(JSON.parse(wrongShape.body)).toEqual({
      error: "invalid approval",
      issues: [expect.stringMatching(/^decision: /), expect.stringMatching(/^\(body\): .*extra/)],
    });
    expect(empty.status).toBe(400);
    expect(wrongType.status).toBe(415);
    expect(oversized.status).toBe(413);
    expect(JSON.parse(oversized.body)).toEqual({ error: "request body is larger than 1024 bytes" });
    expect(decideApproval).not.toHaveBeenCalled();
  });

  it.each([
    [new NotFound("incident inc-1 has no pending approval"), 404],
    [new ApprovalAlreadyDecided("approval a was already approved"), 409],
    [new NotAnApprover("dashboard approvals are disabled"), 403],
  ])("maps %s to %i", async (error, status) => {
    const { call } = setup({ decideApproval: () => Promise.reject(error) });

    const response = await call("POST", "/api/incidents/inc-1/approval", {
      headers: jsonHeaders,
      body: JSON.stringify({ decision: "reject" }),
    });

    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: error.message });
  });

  it("hides unexpected errors behind a 500", async () => {
    const { call } = setup({ decideApproval: () => Promise.reject(new Error("db password is hunter2")) });

    const response = await call("POST", "/api/incidents/inc-1/approval", {
      headers: jsonHeaders,
      body: JSON.stringify({ decision: "approve" }),
    });

    expect(response.status).toBe(500);
    expect(response.body).not.toContain("hunter2");
  });
});

describe("api: events intake", () => {
  const intakeHeaders = { authorization: `Bearer ${INTAKE_TOKEN}`, "content-type": "application/json" };
  const intakeOf = (accepted: number, rejected: number) =>
    vi.fn(async (_body: unknown) => ({
      accepted,
      rejected,
      errors: Array.from({ length: rejected }, (_, index) => ({ index, error: "not an event" })),
    }));

  it("accepts JSON and gzip bodies with 202 and the intake's counts", async () => {
    const intake = intakeOf(2, 1);
    const { call } = setup({ intake });
    const body = JSON.stringify({ Records: [{ eventName: "A" }, { eventName: "B" }, 3] });

    const plain = await call("POST", "/api/events", { headers: intakeHeaders, body });
    const gzipped = await call("POST", "/api/events", {
      headers: { ...intakeHeaders, "content-encoding": "gzip" },
      body: gzipSync(body),
    });

    expect(plain.status).toBe(202);
    expect(JSON.parse(plain.body)).toEqual({ accepted: 2, rejected: 1, errors: [{ index: 0, error: "not an event" }] });
    expect(gzipped.status).toBe(202);
    expect(intake).toHaveBeenNthCalledWith(2, JSON.parse(body));
  });

  it("answers 400 when nothing was accepted or the body is not an object or array", async () => {
    const { call } = setup({ intake: intakeOf(0, 2) });

    const rejected = await call("POST", "/api/events", { headers: intakeHeaders, body: "[1, 2]" });
    const scalar = await call("POST", "/api/events", { headers: intakeHeaders, body: '"hello"' });

    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body)).toMatchObject({
      error: "no event in the body was accepted",
      accepted: 0,
      rejected: 2,
    });
    expect(scalar.status).toBe(400);
  });

  it("refuses oversized bodies, gzip bombs and unknown encodings before the intake sees them", async () => {
    const intake = intakeOf(1, 0);
    const { call } = setup({ intake, limits: { maxEventsBodyBytes: 10_000 } });

    const big = await call("POST", "/api/events", { headers: intakeHeaders, body: `[${'"x",'.repeat(5000)}"x"]` });
    const bomb = await call("POST", "/api/events", {
      headers: { ...intakeHeaders, "content-encoding": "gzip" },
      body: gzipSync(`[${"0,".repeat(1_000_000)}0]`),
    });
    const brotli = await call("POST", "/api/events", {
      headers: { ...intakeHeaders, "content-encoding": "br" },
      body: "{}",
    });
    const notGzip = await call("POST", "/api/events", {
      headers: { ...intakeHeaders, "content-encoding": "gzip" },
      body: "{}",
    });

    expect(big.status).toBe(413);
    expect(bomb.status).toBe(413);
    expect(brotli.status).toBe(415);
    expect(notGzip.status).toBe(400);
    expect(intake).not.toHaveBeenCalled();
  });

  it("reports a server without intake as unavailable", async () => {
    const { call } = setup();

    const response = await call("POST", "/api/events", { headers: intakeHeaders, body: "{}" });

    expect(response.status).toBe(503);
  });

  it("takes only the intake token: a dashboard token is refused, and the intake token opens nothing else", async () => {
    const intake = intakeOf(1, 0);
    const { call } = setup({ intake });

    const byDashboard = await call("POST", "/api/events", { headers: jsonHeaders, body: "{}" });
    const readWithIntake = await call("GET", "/api/incidents", {
      headers: { authorization: `Bearer ${INTAKE_TOKEN}` },
    });
    const byIntake = await call("POST", "/api/events", { headers: intakeHeaders, body: "{}" });

    expect(byDashboard.status).toBe(401);
    expect(readWithIntake.status).toBe(401);
    expect(byIntake.status).toBe(202);
    expect(intake).toHaveBeenCalledTimes(1);
  });

  it("is switched off, saying how to switch it on, when no intake token is configured", async () => {
    const intake = intakeOf(1, 0);
    const { call } = setup({ intake, intakeTokens: [] });

    const response = await call("POST", "/api/events", { headers: jsonHeaders, body: "{}" });

    expect(response.status).toBe(503);
    expect(JSON.parse(response.body).error).toContain("RIPOSTE_INTAKE_TOKEN");
    expect(intake).not.toHaveBeenCalled();
  });
});

describe("api: slack interactions", () => {
  it("hands the raw body to the Slack handler without a bearer token", async () => {
    const slack = vi.fn(async () => ({ status: 200, body: "" }));
    const { call } = setup({ slack });
    const body = "payload=%7B%22type%22%3A%22block_actions%22%7D";

    const response = await call("POST", "/slack/interactions", {
      headers: { "x-slack-signature": "v0=abc", "content-type": "application/x-www-form-urlencoded" },
      body,
    });

    expect(response.status).toBe(200);
    expect(slack).toHaveBeenCalledWith({ headers: expect.objectContaining({ "x-slack-signature": "v0=abc" }), body });
  });
});
