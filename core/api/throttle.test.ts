import { describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { MemoryStore } from "../store/memory.js";
import { createApi } from "./index.js";
import { clientKey, createAuthThrottle } from "./throttle.js";

function clock(start = 1_000_000) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

describe("wrong-token throttle", () => {
  it("lets a client fail maxFailures times, then says how long to wait until its window ends", () => {
    const time = clock();
    const throttle = createAuthThrottle({ maxFailures: 3, windowMs: 60_000, now: time.now });

    const before = [] as (number | undefined)[];
    for (let failure = 0; failure < 3; failure++) {
      before.push(throttle.retryAfter("10.0.0.1"));
      throttle.failed("10.0.0.1");
      time.advance(1_000);
    }
    const blocked = throttle.retryAfter("10.0.0.1");
    const neighbour = throttle.retryAfter("10.0.0.2");
    time.advance(57_000);
    const afterWindow = throttle.retryAfter("10.0.0.1");

    expect(before).toEqual([undefined, undefined, undefined]);
    expect(blocked).toBe(57);
    expect(neighbour).toBeUndefined();
    expect(afterWindow).toBeUndefined();
  });

  it("counts failures in a fresh window once the old one has passed", () => {
    const time = clock();
    const throttle = createAuthThrottle({ maxFailures: 2, windowMs: 10_000, now: time.now });

    throttle.failed("10.0.0.1");
    time.advance(10_000);
    throttle.failed("10.0.0.1");
    const oneInNewWindow = throttle.retryAfter("10.0.0.1");
    throttle.failed("10.0.0.1");

    expect(oneInNewWindow).toBeUndefined();
    expect(throttle.retryAfter("10.0.0.1")).toBe(10);
  });

  it("tracks at most maxClients addresses, forgetting the least recently failed first", () => {
    const throttle = createAuthThrottle({ maxFailures: 1, maxClients: 2, now: () => 0 });

    throttle.failed("10.0.0.1");
    throttle.failed("10.0.0.2");
    throttle.failed("10.0.0.1");
    throttle.failed("10.0.0.3");

    expect(throttle.size).toBe(2);
    expect(throttle.retryAfter("10.0.0.2")).toBeUndefined();
    expect(throttle.retryAfter("10.0.0.1")).toBeDefined();
    expect(throttle.retryAfter("10.0.0.3")).toBeDefined();
  });

  it("counts an IPv4-mapped address as its IPv4 one, and IPv6 addresses by their /64", () => {
    const throttle = createAuthThrottle({ maxFailures: 2, now: () => 0 });

    throttle.failed("::ffff:192.0.2.7");
    throttle.failed("2001:db8:1:2::1");
    throttle.failed("2001:db8:1:2:aaaa:bbbb:cccc:dddd");

    expect(throttle.retryAfter("192.0.2.7")).toBeUndefined();
    expect(throttle.retryAfter("2001:0db8:0001:0002::99")).toBeDefined();
    expect(throttle.retryAfter("2001:db8:1:3::1")).toBeUndefined();
  });
});

describe("clientKey", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.45.6.7", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["192.0.2.7", "192.0.2.7"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:DB8:0:0:1::", "2001:db8:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4::/64"],
  ])("keys %s as %s", (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe("api with a wrong-token throttle", () => {
  const TOKEN = "test-token-0123456789";
  const api = createApi({
    store: new MemoryStore(),
    tokens: [{ token: TOKEN, principal: "dashboard" }],
    health: () => ({ status: "ok", version: "0.0.0", startedAt: "2026-01-01T00:00:00.000Z", remediation: "dry-run" }),
    throttle: createAuthThrottle({ maxFailures: 2, now: () => 0 }),
    logger: silentLogger,
  });
  const get = (token: string | undefined, client?: string) =>
    api.handle({
      method: "GET",
      path: "/api/incidents",
      query: new URLSearchParams(),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      scheme: "http",
      ...(client ? { client } : {}),
    });

  it("answers 429 with Retry-After once a client used its failures, without checking its tokens", async () => {
    const statuses = [
      (await get("wrong-1", "10.0.0.1")).status,
      (await get(undefined, "10.0.0.1")).status,
      (await get("wrong-2", "10.0.0.1")).status,
    ];
    const throttled = await get("wrong-3", "10.0.0.1");
    const rightButThrottled = await get(TOKEN, "10.0.0.1");
    const health = await api.handle({
      method: "GET",
      path: "/api/health",
      query: new URLSearchParams(),
      headers: {},
      scheme: "http",
      client: "10.0.0.1",
    });
    const otherClient = await get(TOKEN, "10.0.0.2");
    const unknownClient = await get(TOKEN);

    // A missing token is not a guess: only the two wrong ones count.
    expect(statuses).toEqual([401, 401, 401]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("60");
    expect(JSON.parse(throttled.body)).toEqual({ error: "too many wrong tokens from this address; retry later" });
    expect(rightButThrottled.status).toBe(429);
    expect(health.status).toBe(200);
    expect(otherClient.status).toBe(200);
    expect(unknownClient.status).toBe(200);
  });
  it("counts wrong tokens on health too, and then shows a throttled client the public view only", async () => {
    const api = createApi({
      store: new MemoryStore(),
      tokens: [{ token: TOKEN, principal: "dashboard" }],
      health: () => ({ status: "ok", version: "0.0.0", startedAt: "2026-01-01T00:00:00.000Z", remediation: "dry-run" }),
      throttle: createAuthThrottle({ maxFailures: 2, now: () => 0 }),
      logger: silentLogger,
    });
    const health = (token: string) =>
      api.handle({
        method: "GET",
        path: "/api/health",
        query: new URLSearchParams(),
        headers: { authorization: `Bearer ${token}` },
        scheme: "http",
        client: "10.0.0.9",
      });
    const incidents = (token: string) =>
      api.handle({
        method: "GET",
        path: "/api/incidents",
        query: new URLSearchParams(),
        headers: { authorization: `Bearer ${token}` },
        scheme: "http",
        client: "10.0.0.9",
      });

    const guesses = [(await health("wrong-1")).status, (await health("wrong-2")).status];
    const afterGuesses = await incidents(TOKEN);

    expect(guesses).toEqual([200, 200]);
    expect(afterGuesses.status).toBe(429);
  });
});
