import { describe, expect, it } from "vitest";
import { pageHeaders } from "./http.js";

const connectSrc = (host: string | undefined) =>
  /connect-src ([^;]*);/.exec(pageHeaders(host)["content-security-policy"] ?? "")?.[1];

describe("page CSP connect-src", () => {
  it.each([
    ["127.0.0.1:8787", "'self' ws://127.0.0.1:8787 wss://127.0.0.1:8787"],
    ["LocalHost:8787", "'self' ws://localhost:8787 wss://localhost:8787"],
    ["[::1]:8787", "'self' ws://[::1]:8787 wss://[::1]:8787"],
    ["riposte.example", "'self' ws://riposte.example wss://riposte.example"],
  ])("names the WebSocket origin of Host %s", (host, expected) => {
    expect(connectSrc(host)).toBe(expected);
  });

  // With the Host check off (bound beyond loopback, no api.allowedHosts) any Host arrives here.
  it.each([
    undefined,
    "",
    "evil.example; script-src *",
    "evil.example *",
    "evil.example:8787/path",
    "evil.example:123456",
    "-evil.example",
  ])("names no WebSocket origin for Host %j, only 'self'", (host) => {
    expect(connectSrc(host)).toBe("'self'");
  });
});
