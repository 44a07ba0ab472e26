import { gzipSync } from "node:zlib";
import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "../core/log.js";
import { makeIncident } from "../core/store/contract/fixtures.js";
import { MemoryStore } from "../core/store/memory.js";
import { makeDeps } from "../test/notify/fixtures.js";
import { createApiHandler } from "./api.js";
import { apiOptionsFor } from "./lib/api-options.js";
import { buildAwsRuntime } from "./lib/aws-deps.js";

const TOKEN = "aws-dashboard-token-0123456789";
const INTAKE = "aws-intake-token-0123456789";

function setup() {
  const store = new MemoryStore();
  const intake = vi.fn(async (_body: unknown) => ({ accepted: 1, rejected: 0, errors: [] }));
  const handler = createApiHandler(() => ({
    store,
    tokens: [{ token: TOKEN, principal: "dashboard" }],
    intakeTokens: [{ token: INTAKE, principal: "intake" }],
    health: () => ({ status: "ok", version: "1", startedAt: "2026-01-01T00:00:00.000Z", remediation: "live" }),
    intake,
    allowedOrigins: ["https://d111.cloudfront.net"],
    logger: silentLogger,
  }));
  return { store, intake, handler };
}

const event = (method: string, rawPath: string, extra: Record<string, unknown> = {}) => ({
  version: "2.0",
  rawPath,
  rawQueryString: "",
  headers: { host: "abc.execute-api.eu-west-1.amazonaws.com", authorization: `Bearer ${TOKEN}` },
  requestContext: { http: { method }, stage: "$default" },
  isBase64Encoded: false,
  ...extra,
});

describe("api Lambda handler (HTTP API payload v2)", () => {
  it("serves the same list as the local server, with query string and CORS for the dashboard site", async () => {
    const { store, handler } = setup();
    await store.createIncident(makeIncident({ severity: "critical" }));
    await store.createIncident(makeIncident({ severity: "low" }));

    const result = await handler(
      event("GET", "/api/incidents", {
        rawQueryString: "severity=critical&limit=10",
        headers: {
          host: "abc.execute-api.eu-west-1.amazonaws.com",
          authorization: `Bearer ${TOKEN}`,
          origin: "https://d111.cloudfront.net",
        },
      }),
    );

    expect(result.statusCode).toBe(200);
    expect(result.headers["access-control-allow-origin"]).toBe("https://d111.cloudfront.net");
    expect(JSON.parse(result.body).items.map((item: { severity: string }) => item.severity)).toEqual(["critical"]);
  });

  it("decodes base64 bodies (gzip included) and strips a named stage from the path", async () => {
    const { intake, handler } = setup();
    const body = gzipSync(JSON.stringify({ Records: [{ eventName: "StopLogging" }] })).toString("base64");

    const result = await handler(
      event("POST", "/prod/api/events", {
        body,
        isBase64Encoded: true,
        headers: {
          host: "abc.execute-api.eu-west-1.amazonaws.com",
          authorization: `Bearer ${INTAKE}`,
          "content-type": "application/json",
          "content-encoding": "gzip",
        },
        requestContext: { http: { method: "POST" }, stage: "prod" },
      }),
    );

    expect(result.statusCode).toBe(202);
    expect(intake).toHaveBeenCalledWith({ Records: [{ eventName: "StopLogging" }] });
  });

  it("refuses a request without the token", async () => {
    const { handler } = setup();

    const result = await handler(
      event("GET", "/api/stats", { headers: { host: "abc.execute-api.eu-west-1.amazonaws.com" } }),
    );

    expect(result.statusCode).toBe(401);
  });

  it("sends the strict security headers of a JSON API on answers, refusals and preflights", async () => {
    const { handler } = setup();
    const expected = {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    };

    const answer = await handler(event("GET", "/api/incidents"));
    const refusal = await handler(
      event("GET", "/api/stats", { headers: { host: "abc.execute-api.eu-west-1.amazonaws.com" } }),
    );
    const preflight = await handler(
      event("OPTIONS", "/api/incidents", {
        headers: {
          host: "abc.execute-api.eu-west-1.amazonaws.com",
          origin: "https://d111.cloudfront.net",
          "access-control-request-method": "GET",
        },
        requestContext: { http: { method: "OPTIONS" }, stage: "$default" },
      }),
    );

    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject(expected);
    expect(refusal.statusCode).toBe(401);
    expect(refusal.headers).toMatchObject(expected);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject(expected);
  });

  it("retries building its dependencies after a failure instead of caching it", async () => {
    let attempts = 0;
    const handler = createApiHandler(() => {
      attempts += 1;
      if (attempts === 1) throw new Error("secret not readable yet");
      return {
        store: new MemoryStore(),
        tokens: [{ token: TOKEN, principal: "dashboard" }],
        health: () => ({ status: "ok" as const, version: "1", startedAt: "x", remediation: "live" as const }),
        logger: silentLogger,
      };
    });

    await expect(handler(event("GET", "/api/health"))).rejects.toThrow("secret not readable yet");
    const second = await handler(event("GET", "/api/health"));

    expect(second.statusCode).toBe(200);
  });
});

describe("api Lambda handler with the deployed links (DashboardUsers)", () => {
  const ALICE = "alice-dashboard-token-0123456789";
  const BOB = "bob-dashboard-token-9876543210ab";

  /** The api function as deployed: options from the links, over a memory store and recorded callbacks. */
  async function deployed(users: string | undefined, intakeToken?: string) {
    const links = {
      ...(intakeToken === undefined ? {} : { IntakeToken: { value: intakeToken } }),
      Settings: { config: "{}", version: "1.2.3", stage: "prod" },
      Incidents: { name: "riposte-prod-IncidentTable-abc" },
      CorrelateQueue: { url: "https://sqs.eu-west-1.amazonaws.com/123456789012/riposte-prod-correlate" },
      DashboardToken: { value: TOKEN },
      ...(users === undefined ? {} : { DashboardUsers: { value: users } }),
    };
    const deps = makeDeps();
    const runtime = { ...buildAwsRuntime({ links, env: { RIPOSTE_LOG_LEVEL: "silent" } }), deps };
    const incident = makeIncident({ status: "AWAITING_APPROVAL" });
    await deps.store.createIncident(incident);
    await deps.store.putApproval({
      id: "appr-1",
      incidentId: incident.id,
      taskToken: "task-token-1",
      createdAt: "2026-01-01T00:00:00.000Z",
      expiresAt: "2999-01-01T00:00:00.000Z",
      status: "pending",
    });
    const handler = createApiHandler(() =>
      apiOptionsFor(runtime, { links, env: {}, sqs: new SQSClient({ region: "eu-west-1" }) }),
    );
    const approve = (token: string) =>
      handler(
        event("POST", `/api/incidents/${incident.id}/approval`, {
          headers: {
            host: "abc.execute-api.eu-west-1.amazonaws.com",
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ decision: "approve", comment: "checked" }),
        }),
      );
    const post = (token: string) =>
      handler(
        event("POST", "/api/events", {
          headers: {
            host: "abc.execute-api.eu-west-1.amazonaws.com",
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ Records: [] }),
        }),
      );
    return { deps, incident, handler, approve, post };
  }

  it("records the person whose token approved, and still takes DashboardToken as 'dashboard'", async () => {
    const { deps, incident, handler, approve } = await deployed(`alice@example.com=${ALICE}\nbob=${BOB}`);

    const byBob = await approve(BOB);
    const shared = await handler(event("GET", `/api/incidents/${incident.id}`));
    const wrong = await approve(`${ALICE}x`);

    expect(byBob.statusCode).toBe(200);
    expect(JSON.parse(byBob.body)).toMatchObject({ decision: "approve", approver: "bob" });
    expect((await deps.store.getIncident(incident.id))?.approvals).toMatchObject([
      { decision: "approve", approver: "bob", via: "dashboard" },
    ]);
    expect(deps.callbacks.successes).toMatchObject([{ token: "task-token-1", output: { approver: "bob" } }]);
    expect(shared.statusCode).toBe(200);
    expect(wrong.statusCode).toBe(401);
  });

  it("creates a time-boxed exception as the person whose token it is, and lists it", async () => {
    const { deps, handler } = await deployed(`alice@example.com=${ALICE}`);
    const call = (method: string, body?: unknown) =>
      handler(
        event(method, "/api/exceptions", {
          headers: {
            host: "abc.execute-api.eu-west-1.amazonaws.com",
            authorization: `Bearer ${ALICE}`,
            "content-type": "application/json",
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );

    const created = await call("POST", {
      detection: "sg-ssh-open-world",
      scope: { kind: "principal", value: "alice" },
      reason: "bastion rebuild",
      expiresAt: new Date(deps.now().getTime() + 3600_000).toISOString(),
    });
    const listed = await call("GET");

    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({ owner: "alice@example.com", source: "dashboard" });
    expect(JSON.parse(listed.body).items).toHaveLength(1);
    expect(await deps.store.listExceptions()).toHaveLength(1);
  });

  it("takes only DashboardToken when DashboardUsers is unset, and fails closed when it is malformed", async () => {
    const unset = await deployed(undefined);
    const malformed = await deployed(`alice=${ALICE},bob=${ALICE}`);

    const byAlice = await unset.approve(ALICE);
    const byShared = await unset.approve(TOKEN);

    expect(byAlice.statusCode).toBe(401);
    expect(byShared.statusCode).toBe(200);
    expect(JSON.parse(byShared.body)).toMatchObject({ approver: "dashboard" });
    await expect(malformed.approve(ALICE)).rejects.toThrow(
      /^the DashboardUsers secret: entries 1 and 2 have the same token$/,
    );
  });

  it("takes events only with the IntakeToken secret, never a dashboard token; without it intake is off", async () => {
    const withIntake = await deployed(`bob=${BOB}`, INTAKE);
    const without = await deployed(undefined);

    const byIntake = await withIntake.post(INTAKE);
    const byShared = await withIntake.post(TOKEN);
    const byBob = await withIntake.post(BOB);
    const off = await without.post(TOKEN);

    expect([byIntake.statusCode, byShared.statusCode, byBob.statusCode]).toEqual([202, 401, 401]);
    expect(off.statusCode).toBe(503);
    expect(JSON.parse(off.body).error).toContain("IntakeToken");
    await expect(deployed(undefined, TOKEN).then((again) => again.post(TOKEN))).rejects.toThrow(
      /^the IntakeToken secret must differ from every dashboard token/,
    );
  });
});
