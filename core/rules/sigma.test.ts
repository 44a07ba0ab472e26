import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { record } from "../../test/fixtures/events/cloudtrail.js";
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

describe("Sigma OR across fields as EventBridge's $or", () => {
  const sigma = (detection: string) => `title: Test or ${detection.length}
logsource:
    product: aws
    service: cloudtrail
level: high
detection:
${detection}`;
  // Each with where the OR must end up: the pattern's $or, or the code condition.
  const rules: { detection: string; or: boolean }[] = [
    {
      // a selection and (a or b), the second on a nested array field with a number
      detection: `    call:
        eventSource: ec2.amazonaws.com
        eventName: DescribeInstances
    key:
        requestParameters.keyId: bench-Value
    denied:
        errorCode: AccessDenied
    ports:
        requestParameters.ipPermissions.items.fromPort: '22'
    condition: call and (key or denied or ports)
`,
      or: true,
    },
    {
      // branches with their own calls: eventName would be declared inside and outside the $or
      detection: `    one:
        eventSource: ec2.amazonaws.com
        eventName: DescribeInstances
        errorCode: AccessDenied
    two:
        eventSource: ec2.amazonaws.com
        eventName: RunInstances
        requestParameters.keyId: bench-value
    condition: 1 of them
`,
      or: false,
    },
    {
      // a branch that only repeats the call: the OR always holds, nothing to add
      detection: `    call:
        eventSource: ec2.amazonaws.com
        eventName: DescribeInstances
    denied:
        errorCode: AccessDenied
    condition: call and (call or denied)
`,
      or: false,
    },
    {
      // a later conjunct on a field a branch declares: the OR stays in code
      detection: `    call:
        eventSource: ec2.amazonaws.com
        eventName: DescribeInstances
    key:
        requestParameters.keyId: bench-value
    denied:
        errorCode: AccessDenied
    denied_too:
        errorCode|startswith: Access
    condition: call and (key or denied) and denied_too
`,
      or: false,
    },
  ];
  const ec2 = (eventName: string, request: unknown, errorCode?: string) =>
    record("ec2.amazonaws.com", eventName, request, null, errorCode ? { errorCode } : {});
  const events = [
    ...["DescribeInstances", "RunInstances", "describeinstances"].flatMap((name) => [
      ec2(name, { keyId: "bench-value" }),
      ec2(name, { keyId: "BENCH-VALUE" }),
      ec2(name, { keyId: "bench-value-2" }),
      ec2(name, { keyId: ["other", "bench-value"] }),
      ec2(name, {}, "AccessDenied"),
      ec2(name, {}, "accessdenied"),
      ec2(name, {}, "AccessDeniedException"),
      ec2(name, null),
      ec2(name, { ipPermissions: { items: [{ fromPort: 443 }, { fromPort: 22 }] } }),
      ec2(name, { ipPermissions: { items: [{ fromPort: "22" }] } }),
      ec2(name, { ipPermissions: { items: [{ fromPort: 2222 }] } }),
      ec2(name, { keyId: "x" }, "AccessDenied"),
    ]),
    record("s3.amazonaws.com", "DescribeInstances", { keyId: "bench-value" }, null),
  ];

  for (const [i, { detection, or }] of rules.entries()) {
    it(`rule ${i + 1}: ${or ? "the $or says exactly what the condition in code said" : "stays in code"}`, () => {
      const document = parse(sigma(detection));
      const exact = translateSigma(document);
      // The reference: only the calls pinned, the whole Sigma condition evaluated in code.
      const inCode = translateSigma(document, { optionalPatternParts: false });
      expect(inCode.rule!.condition).toBeDefined();
      expect(JSON.stringify(exact.rule!.pattern).includes('"$or"')).toBe(or);
      if (or) expect(exact.rule!.condition).toBeUndefined();
      const check = (rule: Record<string, unknown>) => {
        const checked = parseRule(rule, "case.yml", { maxPatternChars: 2048 });
        if ("problems" in checked) throw new Error(JSON.stringify(checked.problems));
        return fired(checked.rule, events);
      };
      const reference = check(inCode.rule!);
      expect(reference.filter(Boolean).length).toBeGreaterThan(0);
      expect(check(exact.rule!)).toEqual(reference);
    });
  }
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
