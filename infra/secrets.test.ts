import { describe, expect, it } from "vitest";
import { MIN_TOKEN_LENGTH } from "../core/api/auth.js";
import { dashboardTokenProblem, dashboardUsersProblem, intakeTokenProblem } from "./secrets.js";

describe("DashboardToken check at deploy time", () => {
  it("accepts a token of the minimum length and longer", () => {
    expect(dashboardTokenProblem("k".repeat(MIN_TOKEN_LENGTH))).toBeUndefined();
    expect(dashboardTokenProblem("Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0")).toBeUndefined();
  });

  it("refuses a short, blank or empty token, naming the secret and the rule", () => {
    const short = "hunter2-secret";

    const problem = dashboardTokenProblem(short);
    const padded = dashboardTokenProblem(`   ${"x".repeat(MIN_TOKEN_LENGTH - 1)}   `);
    const empty = dashboardTokenProblem("");

    expect(problem).toMatch(/DashboardToken secret is too short: it must be at least 16 characters/);
    expect(padded).toMatch(/too short/);
    expect(empty).toMatch(/DashboardToken secret is empty/);
  });

  it("never repeats the value in its message", () => {
    const value = "s3cr3t-but-short";
    const problem = dashboardTokenProblem(value.slice(0, MIN_TOKEN_LENGTH - 1));

    expect(problem).toBeDefined();
    expect(problem).not.toContain(value.slice(0, MIN_TOKEN_LENGTH - 1));
  });
});

describe("DashboardUsers check at deploy time", () => {
  const SHARED = "shared-dashboard-token-0123";
  const ALICE = "alice-token-0123456789abcdef";

  it("accepts an empty value (no named users) and well-formed name=token pairs", () => {
    expect(dashboardUsersProblem("", SHARED)).toBeUndefined();
    expect(dashboardUsersProblem(`alice=${ALICE}\nbob@example.com=${ALICE}-bob`, SHARED)).toBeUndefined();
  });

  it("refuses a malformed entry, a duplicate, or the DashboardToken reused, without repeating a token", () => {
    const problems = [
      dashboardUsersProblem(`alice=${ALICE},${ALICE}`, SHARED),
      dashboardUsersProblem(`alice=${ALICE.slice(0, 15)}`, SHARED),
      dashboardUsersProblem(`alice=${ALICE},bob=${ALICE}`, SHARED),
      dashboardUsersProblem(`alice=${SHARED}`, SHARED),
    ];

    expect(problems).toEqual([
      expect.stringMatching(/^the DashboardUsers secret: entry 2 is not name=token \(the format: name=token pairs/),
      expect.stringMatching(/entry 1: the token is too short: it must be at least 16 characters/),
      expect.stringMatching(/entries 1 and 2 have the same token/),
      expect.stringMatching(/entry 1 has the same token as the DashboardToken secret/),
    ]);
    for (const problem of problems) {
      expect(problem).not.toContain(ALICE.slice(0, 15));
      expect(problem).not.toContain(SHARED);
    }
  });
});

describe("IntakeToken check at deploy time", () => {
  const SHARED = "shared-dashboard-token-0123456789";
  const BOB = "bob-dashboard-token-0123456789";

  it("accepts none (intake off) or a long token of its own", () => {
    expect(intakeTokenProblem("", `bob=${BOB}`, SHARED)).toBeUndefined();
    expect(intakeTokenProblem("intake-token-0123456789", `bob=${BOB}`, SHARED)).toBeUndefined();
  });

  it("refuses a short one or one a dashboard user holds, naming the secret, never the value", () => {
    const short = intakeTokenProblem("tiny-x9", "", SHARED);
    const reused = intakeTokenProblem(BOB, `bob=${BOB}`, SHARED);

    expect(short).toMatch(/^the IntakeToken secret is too short/);
    expect(reused).toMatch(/^the IntakeToken secret must differ from every dashboard token/);
    expect(`${short} ${reused}`).not.toContain(BOB);
    expect(short).not.toContain("tiny-x9");
  });
});
