import { describe, expect, it } from "vitest";
import { IntakeTokenError, intakeTokens } from "./intake-token.js";

const DASHBOARD = [{ token: "dashboard-token-0123456789", principal: "dashboard" }];

describe("intake token setting", () => {
  it("is off when unset or blank", () => {
    expect(intakeTokens(undefined, "RIPOSTE_INTAKE_TOKEN", DASHBOARD)).toEqual([]);
    expect(intakeTokens("  ", "RIPOSTE_INTAKE_TOKEN", DASHBOARD)).toEqual([]);
  });

  it("gives one token for the intake principal", () => {
    expect(intakeTokens(" intake-token-0123456789 ", "RIPOSTE_INTAKE_TOKEN", DASHBOARD)).toEqual([
      { token: "intake-token-0123456789", principal: "intake" },
    ]);
  });

  it("refuses a short token, spaces, and a dashboard token reused, naming the setting but never the token", () => {
    const cases = ["x9q-Tk", "intake token 0123456789", DASHBOARD[0]!.token];

    const errors = cases.map((value) => {
      try {
        intakeTokens(value, "IntakeToken", DASHBOARD);
        return undefined;
      } catch (error) {
        return error;
      }
    });

    for (const [index, error] of errors.entries()) {
      expect(error).toBeInstanceOf(IntakeTokenError);
      expect((error as Error).message).toMatch(/^IntakeToken /);
      expect((error as Error).message).not.toContain(cases[index]);
    }
  });
});
