import { describe, expect, it, vi } from "vitest";
import { ApiConflict, ApiNotFound, ApiUnauthorized, ApiUnreachable, createApiClient, listQueryString } from "./api.js";

function client(answer: (url: string, init: RequestInit) => Response | Promise<Response>, token = "s3cret") {
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => answer(String(url), init ?? {}));
  return { api: createApiClient({ baseUrl: () => "http://127.0.0.1:9/", token: () => token, fetch }), fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("createApiClient", () => {
  it("sends the bearer token and the list filters", async () => {
    const { api, fetch } = client(() => json(200, { items: [] }));

    await api.listIncidents({ status: ["NEW", "TRIAGED"], q: "a b", limit: 50 });

    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("http://127.0.0.1:9/api/incidents?status=NEW%2CTRIAGED&q=a+b&limit=50");
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer s3cret");
  });

  it("sends the token to the health check, which shows its holder the detail", async () => {
    const { api, fetch } = client(() => json(200, { status: "ok" }));

    await api.health();

    expect(new Headers(fetch.mock.calls[0]![1]?.headers).get("authorization")).toMatch(/^Bearer /);
  });

  it("escapes incident ids in paths and posts approvals as JSON", async () => {
    const { api, fetch } = client(() => json(200, { decision: "approve" }));

    await api.decide("a/b?c", { decision: "approve", comment: "ok" });

    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("http://127.0.0.1:9/api/incidents/a%2Fb%3Fc/approval");
    expect(init?.method).toBe("POST");
    expect(JSON.parse(String(init?.body))).toEqual({ decision: "approve", comment: "ok" });
  });

  it("maps failures to named errors carrying the server's message", async () => {
    await expect(client(() => json(401, { error: "bad token" })).api.stats()).rejects.toBeInstanceOf(ApiUnauthorized);
    await expect(client(() => json(404, { error: "no such incident" })).api.getIncident("x")).rejects.toThrow(
      /no such incident/,
    );
    await expect(client(() => json(404, {})).api.getIncident("x")).rejects.toBeInstanceOf(ApiNotFound);
    await expect(
      client(() => json(409, { error: "already decided" })).api.decide("x", { decision: "reject" }),
    ).rejects.toBeInstanceOf(ApiConflict);
    await expect(
      client(() => {
        throw new TypeError("fetch failed");
      }).api.health(),
    ).rejects.toBeInstanceOf(ApiUnreachable);
  });
});

describe("listQueryString", () => {
  it("is empty without filters", () => {
    expect(listQueryString({})).toBe("");
  });
});
