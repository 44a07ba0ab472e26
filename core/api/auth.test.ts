import { describe, expect, it } from "vitest";
import { bearerToken, createTokenChecker, resolveDashboardToken } from "./auth.js";

describe("bearer tokens", () => {
  it("reads the token from an Authorization header, case-insensitively", () => {
    expect(bearerToken("Bearer abc.def-ghi")).toBe("abc.def-ghi");
    expect(bearerToken("bearer   xyz ")).toBe("xyz");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it("names the holder of a known token and nobody for others", () => {
    const check = createTokenChecker([
      { token: "token-for-alice-0001", principal: "alice" },
      { token: "token-for-bob-000002", principal: "bob" },
      { token: "", principal: "nobody" },
    ]);

    expect(check("token-for-bob-000002")).toBe("bob");
    expect(check("token-for-bob-00000")).toBeUndefined();
    expect(check("token-for-bob-0000023")).toBeUndefined();
    expect(check("")).toBeUndefined();
    expect(check(undefined)).toBeUndefined();
  });

  it("uses RIPOSTE_DASHBOARD_TOKEN when set and generates a strong one otherwise", () => {
    const configured = resolveDashboardToken({ RIPOSTE_DASHBOARD_TOKEN: " short " });
    const first = resolveDashboardToken({});
    const second = resolveDashboardToken({ RIPOSTE_DASHBOARD_TOKEN: "" });

    expect(configured).toEqual({ token: "short", generated: false, weak: true });
    expect(first.generated).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.token).not.toBe(first.token);
  });
});
