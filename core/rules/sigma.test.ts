import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SIGMA_CASES } from "../../test/fixtures/sigma/cases.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import { firingRules } from "./detection.js";
import { parseRule } from "./format.js";
import { simplifyRegex, translateSigma } from "./sigma.js";

const config = parseConfig({});

function translated(yaml: string) {
  const translation = translateSigma(parse(yaml));
  if (!translation.rule) return { translation };
  const checked = parseRule(translation.rule, "case.yml", { maxPatternChars: 2048 });
  if ("problems" in checked) throw new Error(JSON.stringify(checked.problems));
  return { translation, rule: checked.rule };
}

function fired(rule: NonNullable<ReturnType<typeof translated>["rule"]>, records: unknown[]): boolean[] {
  const fire = firingRules([rule], config);
  const { events, errors } = normalizeRecords(records);
  expect(errors).toEqual([]);
  return events.map((event) => fire(event.envelope).length > 0);
}

describe("Sigma translation, construct by construct", () => {
  for (const testCase of SIGMA_CASES) {
    it(`${testCase.name}: ${testCase.outcome}`, () => {
      const { translation, rule } = translated(testCase.yaml);
      if (testCase.outcome === "refused") {
        expect(translation.refused).toMatch(testCase.reason!);
        return;
      }
      expect(translation.refused).toBeUndefined();
      expect(translation.caveats.length > 0 ? "caveat" : "clean").toBe(testCase.outcome);
      expect(rule).toBeDefined();
      expect(fired(rule!, testCase.fires ?? [])).toEqual((testCase.fires ?? []).map(() => true));
      expect(fired(rule!, testCase.quiet ?? [])).toEqual((testCase.quiet ?? []).map(() => false));
    });
  }

  it("keeps the metadata: title, Sigma id, level, ATT&CK technique and tactics, references, false positives", () => {
    const { rule } = translated(SIGMA_CASES[1]!.yaml);
    expect(rule).toMatchObject({
      id: "sigma-test-list-and-boolean",
      title: "Test list and boolean",
      severity: "high",
      category: "storage",
      attack: { id: "T1098", name: "Account Manipulation" },
      asff: ["TTPs/Persistence"],
      response: { mode: "notify" },
      references: ["https://example.com/Test-list-and-boolean"],
      falsePositives: ["Administrators at work"],
      origin: { format: "sigma", id: expect.stringMatching(/^0b0e0000-/), status: "test", author: "Riposte tests" },
    });
  });

  it("puts exact conditions in the pattern and pins the calls for indexing; no code condition when exact", () => {
    const { rule } = translated(SIGMA_CASES[1]!.yaml);
    expect(rule!.pattern).toEqual({
      source: ["aws.rds"],
      detail: {
        eventSource: ["rds.amazonaws.com"],
        eventName: ["RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceToPointInTime"],
        responseElements: { publiclyAccessible: [{ "equals-ignore-case": "true" }, true] },
      },
    });
    expect(rule!.condition).toBeUndefined();
    // Not exact (a filter): the whole Sigma condition is checked in code too.
    expect(translated(SIGMA_CASES[2]!.yaml).rule!.condition).toBeDefined();
  });

  it("measures the share translated cleanly on these cases", () => {
    const outcomes = SIGMA_CASES.map((testCase) => {
      const { translation } = translated(testCase.yaml);
      return translation.refused ? "refused" : translation.caveats.length > 0 ? "caveat" : "clean";
    });
    expect(outcomes).toEqual(SIGMA_CASES.map((testCase) => testCase.outcome));
  });
});

describe("simplifyRegex", () => {
  it("drops the leading and trailing .* and .+ that cannot change an unanchored search", () => {
    expect(simplifyRegex(".+:assumed-role/aws:.+")).toBe(".:assumed-role/aws:.");
    expect(simplifyRegex(".*abc")).toBe("abc");
    expect(simplifyRegex("^.*abc$")).toBe("^.*abc$");
    expect(simplifyRegex("a|.*b")).toBe("a|.*b");
    expect(simplifyRegex("x\\.+")).toBe("x\\.+");
  });
});
