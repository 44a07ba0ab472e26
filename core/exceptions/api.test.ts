import { describe, expect, it } from "vitest";
import { FIXED_NOW, makeDeps } from "../../test/notify/fixtures.js";
import { createApi } from "../api/index.js";
import type { ApiRequest } from "../api/types.js";
import type { ConfigInput } from "../config/schema.js";
import { silentLogger } from "../log.js";
import { exceptionsApi } from "./api.js";

const TOKEN = "test-token-0123456789";
const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", host: "127.0.0.1:8787" };
const inHours = (hours: number) => new Date(FIXED_NOW.getTime() + hours * 3600_000).toISOString();

function setup(config: ConfigInput = {}) {
  const deps = makeDeps({ config });
  const api = createApi({
    store: deps.store,
    tokens: [{ token: TOKEN, principal: "dashboard:alice" }],
    health: () => ({ status: "ok", version: "0", startedAt: FIXED_NOW.toISOString(), remediation: "dry-run" }),
    exceptions: exceptionsApi(deps),
    logger: silentLogger,
    now: () => FIXED_NOW,
  });
  const call = (method: string, target: string, body?: unknown, auth = true) => {
    const url = new URL(target, "http://127.0.0.1:8787");
    const request: ApiRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: auth ? headers : { host: headers.host, "content-type": "application/json" },
      scheme: "http",
      ...(body !== undefined ? { body: new TextEncoder().encode(JSON.stringify(body)) } : {}),
    };
    return api.handle(request);
  };
  return { deps, call };
}

const request = {
  detection: "sg-ssh-open-world",
  scope: { kind: "cidr", value: "198.51.100.0/24" },
  reason: "office range during the audit",
  expiresAt: inHours(48),
};

describe("GET and POST /api/exceptions", () => {
  it("creates an exception as the token's holder, audits it, and lists it with the declared ones", async () => {
    const { deps, call } = setup({
      exceptions: {
        declared: [
          {
            id: "sandbox",
            detection: "sg-created-open",
            tag: { key: "env", value: "sandbox" },
            owner: "platform",
            reason: "sandbox",
            expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
          },
        ],
      },
    });

    const created = await call("POST", "/api/exceptions", request);
    const body = JSON.parse(created.body);
    const listed = JSON.parse((await call("GET", "/api/exceptions")).body);
    const audit = await deps.store.listAudit(`exception:${body.id}`);

    expect(created.status).toBe(201);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^dsh-[0-9a-f]{24}$/),
      owner: "dashboard:alice",
      createdBy: "dashboard:dashboard:alice",
      source: "dashboard",
      createdAt: FIXED_NOW.toISOString(),
    });
    expect(listed.items.map((item: { id: string }) => item.id).sort()).toEqual([body.id, "cfg-sandbox"].sort());
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([["exception.created", "dashboard:alice"]]);
  });

  it("needs a token, and an approver: refused while dashboard approvals are off", async () => {
    const { deps, call } = setup({ approval: { allowDashboard: false } });

    const anonymous = await call("POST", "/api/exceptions", request, false);
    const refused = await call("POST", "/api/exceptions", request);

    expect([anonymous.status, refused.status]).toEqual([401, 403]);
    expect(await deps.store.listExceptions()).toEqual([]);
  });

  it.each([
    ["no expiry", { ...request, expiresAt: undefined }, /expiresAt/],
    ["an expiry past exceptions.maxDays", { ...request, expiresAt: inHours(24 * 31) }, /exceptions\.maxDays \(30\)/],
    ["an expiry in the past", { ...request, expiresAt: inHours(-1) }, /must be in the future/],
    ["two scopes", { ...request, scope: { kind: "cidr", value: "198.51.100.0/24", key: "x" } }, /scope/],
    ["an unparsable range", { ...request, scope: { kind: "cidr", value: "198.51.100.0/99" } }, /scope\.value/],
    ["an overlong reason", { ...request, reason: "x".repeat(1001) }, /reason: at most 1000/],
    ["an unknown detection", { ...request, detection: "Not A Detection" }, /detection/],
  ])("refuses %s with a 400 naming the field", async (_label, body, message) => {
    const { deps, call } = setup();

    const response = await call("POST", "/api/exceptions", body);

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(message);
    expect(await deps.store.listExceptions()).toEqual([]);
  });

  it("lists only those holding now with ?active=true", async () => {
    const { deps, call } = setup();
    await call("POST", "/api/exceptions", request);
    await deps.store.putException({
      id: "old",
      detection: "sg-ssh-open-world",
      scope: { kind: "principal", value: "bob" },
      owner: "ops",
      reason: "done",
      createdAt: "2026-01-01T00:00:00Z",
      expiresAt: "2026-01-02T00:00:00Z",
      createdBy: "slack:U0APPROVER",
      source: "slack",
    });

    const all = JSON.parse((await call("GET", "/api/exceptions")).body).items;
    const active = JSON.parse((await call("GET", "/api/exceptions?active=true")).body).items;

    expect(all).toHaveLength(2);
    expect(active.map((item: { id: string }) => item.id)).not.toContain("old");
    expect(active).toHaveLength(1);
  });
});
