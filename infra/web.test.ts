import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { dashboardSecurityHeaders, headersInjection } from "./web.js";

const API = "https://abc123.execute-api.eu-west-1.amazonaws.com";
const LIVE = "wss://def456.execute-api.eu-west-1.amazonaws.com/$default";

describe("dashboard headers", () => {
  it("allows the API and the live socket, and nothing else, to be contacted", () => {
    const csp = dashboardSecurityHeaders(API, LIVE)["content-security-policy"];

    expect(csp).toContain(
      "connect-src 'self' https://abc123.execute-api.eu-west-1.amazonaws.com wss://def456.execute-api.eu-west-1.amazonaws.com;",
    );
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("refuses endpoints that are not TLS", () => {
    expect(() => dashboardSecurityHeaders("http://example.com", LIVE)).toThrow(/not a https: URL/);
    expect(() => dashboardSecurityHeaders(API, "ws://example.com")).toThrow(/not a wss: URL/);
  });

  it("injects code that sets exactly those headers on the response", () => {
    const headers = dashboardSecurityHeaders(API, LIVE);
    const event = { response: { headers: {} as Record<string, { value: string }> } };

    runInNewContext(headersInjection(headers), { event });

    expect(Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k, v.value]))).toEqual(headers);
  });
});
