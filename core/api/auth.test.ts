import { describe, expect, it } from "vitest";
import {
  bearerToken,
  createTokenChecker,
  DashboardTokensError,
  dashboardTokens,
  parseDashboardUsers,
  resolveDashboardToken,
  resolveDashboardTokens,
} from "./auth.js";

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

describe("named dashboard tokens", () => {
  const ALICE = "alice-token-0123456789abcdef";
  const BOB = "bob-token=with=padding==";
  const SETTING = "RIPOSTE_DASHBOARD_TOKENS";

  /** The error `parse` throws for `value` (never undefined: the test fails if it parses). */
  function problem(value: string): Error {
    try {
      parseDashboardUsers(value, SETTING);
    } catch (error) {
      return error as Error;
    }
    throw new Error("expected the value to be refused");
  }

  it("reads name=token pairs separated by commas or newlines, skipping blank entries", () => {
    const users = parseDashboardUsers(` alice@example.com = ${ALICE} ,\r\n\n bob.smith_2-x=${BOB},`, SETTING);

    expect(users).toEqual([
      { principal: "alice@example.com", token: ALICE },
      { principal: "bob.smith_2-x", token: BOB },
    ]);
    expect(parseDashboardUsers(" , \n", SETTING)).toEqual([]);
  });

  it("refuses a bad name, a reserved name, a missing '=', a short token and one with spaces, naming the entry", () => {
    expect(problem(`alice=${ALICE}\nbob smith=${BOB}`).message).toBe(
      `${SETTING}: entry 2: the name must be 1 to 64 letters, digits or . _ @ - before the "="`,
    );
    expect(problem(`${"a".repeat(65)}=${ALICE}`).message).toMatch(/entry 1: the name must be/);
    expect(problem(`=${ALICE}`).message).toMatch(/entry 1: the name must be/);
    expect(problem(`<b>=${ALICE}`).message).toMatch(/entry 1: the name must be/);
    expect(problem(`dashboard=${ALICE}`).message).toMatch(/entry 1: the name "dashboard" is reserved/);
    expect(problem(`alice=${ALICE},${BOB.replaceAll("=", "")}`).message).toBe(`${SETTING}: entry 2 is not name=token`);
    expect(problem("alice=short-token-15c").message).toBe(
      `${SETTING}: entry 1: the token is too short: it must be at least 16 characters`,
    );
    expect(problem(`alice=${ALICE} more`).message).toMatch(/entry 1: the token must be visible ASCII/);
    expect(problem(`alice=${ALICE}é`).message).toMatch(/entry 1: the token must be visible ASCII/);
    expect(problem("alice")).toBeInstanceOf(DashboardTokensError);
  });

  it("refuses two entries with the same name or the same token", () => {
    expect(problem(`alice=${ALICE}\nbob=${BOB}\nalice=${BOB}x`).message).toBe(
      `${SETTING}: entries 1 and 3 have the same name`,
    );
    expect(problem(`alice=${ALICE}, bob=${ALICE}`).message).toBe(`${SETTING}: entries 1 and 2 have the same token`);
  });

  it("never repeats a token (or what may be one) in its errors", () => {
    const secret = "Zm9vYmFyYmF6cXV4cXV1eA";
    const values = [
      secret,
      `${secret}==`,
      `alice=${secret.slice(0, 15)}`,
      `alice=${secret} x`,
      `alice=${secret},bob=${secret}`,
      `bad name=${secret}`,
    ];

    for (const value of values) {
      const message = problem(value).message;
      expect(message).toMatch(/^RIPOSTE_DASHBOARD_TOKENS: entr/);
      expect(message).not.toContain(secret.slice(0, 8));
    }
  });

  it("adds the shared token as 'dashboard', and refuses it when a person has the same token", () => {
    const names = { users: "the DashboardUsers secret", shared: "the DashboardToken secret" };

    const tokens = dashboardTokens({ users: `alice=${ALICE}`, shared: ` ${BOB} `, names });
    const usersOnly = dashboardTokens({ users: `alice=${ALICE}`, shared: undefined, names });
    const sharedOnly = dashboardTokens({ users: "", shared: BOB, names });

    expect(tokens).toEqual([
      { principal: "alice", token: ALICE },
      { principal: "dashboard", token: BOB },
    ]);
    expect(usersOnly).toEqual([{ principal: "alice", token: ALICE }]);
    expect(sharedOnly).toEqual([{ principal: "dashboard", token: BOB }]);
    expect(() => dashboardTokens({ users: `bob=${BOB}`, shared: BOB, names })).toThrow(
      "the DashboardUsers secret: entry 1 has the same token as the DashboardToken secret",
    );
  });

  it("applies RIPOSTE_DASHBOARD_TOKENS only when it is set, with RIPOSTE_DASHBOARD_TOKEN as 'dashboard'", () => {
    const named = resolveDashboardTokens({ RIPOSTE_DASHBOARD_TOKENS: `alice=${ALICE}` });
    const both = resolveDashboardTokens({
      RIPOSTE_DASHBOARD_TOKENS: `alice=${ALICE}`,
      RIPOSTE_DASHBOARD_TOKEN: "short",
    });

    expect(resolveDashboardTokens({})).toBeUndefined();
    expect(resolveDashboardTokens({ RIPOSTE_DASHBOARD_TOKENS: " \n ", RIPOSTE_DASHBOARD_TOKEN: BOB })).toBeUndefined();
    expect(resolveDashboardTokens({ RIPOSTE_DASHBOARD_TOKENS: " , \n," })).toBeUndefined();
    expect(named).toEqual({ tokens: [{ principal: "alice", token: ALICE }], weak: false });
    expect(both?.tokens.map((entry) => entry.principal)).toEqual(["alice", "dashboard"]);
    expect(both?.weak).toBe(true);
    expect(() => resolveDashboardTokens({ RIPOSTE_DASHBOARD_TOKENS: "alice" })).toThrow(
      /^RIPOSTE_DASHBOARD_TOKENS: entry 1 is not name=token$/,
    );
  });
});
