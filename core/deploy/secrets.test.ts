import { describe, expect, it } from "vitest";
import { MIN_TOKEN_LENGTH } from "../api/auth.js";
import { dashboardTokenProblem } from "./secrets.js";

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
