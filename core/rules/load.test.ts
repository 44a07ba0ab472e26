import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { loadRules, problemLine } from "./load.js";
import { loadRulesSync } from "./load-sync.js";
import { parseRuleText } from "./parse-text.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function rulesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-rules-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD_JSON = JSON.stringify({
  id: "trail-deleted",
  title: "A trail was deleted",
  category: "logging",
  severity: "critical",
  attack: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  description: "cloudtrail:DeleteTrail",
  response: { mode: "approval", action: "iam-deny-temporarily" },
  pattern: { source: ["aws.cloudtrail"], detail: { eventName: ["DeleteTrail"] } },
});

describe("loadRules", () => {
  it("loads YAML and JSON rules from a directory tree, defaults the response to notify", async () => {
    const dir = rulesDir({
      "a.yml": GOOD_YAML,
      "sub/b.json": GOOD_JSON,
      "README.md": "not a rule",
      ".hidden.yml": "x: [",
    });
    const { rules, problems } = await loadRules(dir);
    expect(problems).toEqual([]);
    expect(rules.map((loaded) => [loaded.file, loaded.rule.id, loaded.rule.response])).toEqual([
      ["a.yml", "root-created-user", { mode: "notify" }],
      ["sub/b.json", "trail-deleted", { mode: "approval", action: "iam-deny-temporarily" }],
    ]);
  });

  it("reports each bad file with the field and the problem, and still loads the others", async () => {
    const dir = rulesDir({
      "good.yaml": GOOD_YAML,
      "builtin.yml": GOOD_YAML.replace("root-created-user", "root-account-usage"),
      "pattern.yml": GOOD_YAML.replace("eventName: [CreateUser]", "eventName: [{ prefix: 5 }]"),
      "nosource.yml": GOOD_YAML.replace("root-created-user", "no-source").replace(
        "source: [aws.iam]",
        "account: ['1']",
      ),
      "syntax.yml": "id: [unclosed",
      "dup.json": JSON.stringify({ ...JSON.parse(GOOD_JSON), id: "root-created-user" }),
      "action.json": JSON.stringify({ ...JSON.parse(GOOD_JSON), id: "x-1", response: { mode: "auto" } }),
      "s3action.json": JSON.stringify({
        ...JSON.parse(GOOD_JSON),
        id: "x-2",
        response: { mode: "auto", action: "s3-private-acl" },
      }),
      "cond.yml": GOOD_YAML.replace("root-created-user", "bad-cond").replace(
        "not: { field: userAgent, contains: console.amazonaws.com }",
        "any: [{ field: userAgent, regex: '(a+)+' }]",
      ),
    });
    const { rules, problems } = await loadRules(dir);
    // Files load in name order: dup.json takes the id first.
    expect(rules.map((loaded) => [loaded.file, loaded.rule.id])).toEqual([["dup.json", "root-created-user"]]);
    const lines = problems.map(problemLine);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^builtin\.yml: id: this id is a built-in detection's/),
        expect.stringMatching(
          /^pattern\.yml: pattern\.detail\.eventName\[0\]\.prefix: prefix match pattern must be a string/,
        ),
        expect.stringMatching(/^nosource\.yml: pattern\.source: name the event sources/),
        expect.stringMatching(/^syntax\.yml: \(the file\): not valid YAML/),
        expect.stringMatching(/^good\.yaml: id: "root-created-user" is already the id of dup\.json/),
        expect.stringMatching(/^action\.json: response\.action: modes auto and approval need an action/),
        expect.stringMatching(/^s3action\.json: response\.action: a rule's finding carries the actor/),
        expect.stringMatching(/^cond\.yml: condition\.any\[0\]\.regex: a repeated group/),
      ]),
    );
    expect(lines).toHaveLength(8);
    // What a deployment reads (synchronously) is the same: rules, problems and their order.
    expect(loadRulesSync(dir)).toEqual({ rules, problems });
  });

  it("checks the deployed pattern's size when asked", () => {
    const long = GOOD_YAML.replace(
      "eventName: [CreateUser]",
      `eventName: [${Array.from({ length: 200 }, (_, i) => `Call${i}`).join(", ")}]`,
    );
    const result = parseRuleText(long, "long.yml", { maxPatternChars: 2048 });
    expect("problems" in result && result.problems[0]).toMatchObject({
      field: "pattern",
      problem: expect.stringMatching(/over EventBridge's 2048/),
    });
    expect("rule" in parseRuleText(long, "long.yml")).toBe(true);
  });

  it("reports a missing directory", async () => {
    const { rules, problems } = await loadRules(join(tmpdir(), "riposte-no-such-dir-xyz"));
    expect(rules).toEqual([]);
    expect(problems[0]?.problem).toMatch(/cannot read/);
    expect(loadRulesSync(join(tmpdir(), "riposte-no-such-dir-xyz")).problems[0]?.problem).toMatch(/cannot read/);
  });

  it("reports a rules path that is neither a regular file nor a directory, without reading it (a FIFO would block)", async () => {
    // Arrange: a named pipe given as the rules path, and one inside a rules directory beside a good rule.
    const dir = rulesDir({ "good.yml": GOOD_YAML });
    const pipe = join(dir, "pipe.yml");
    execFileSync("mkfifo", [pipe]);

    // Act
    const given = await loadRules(pipe);
    const listed = await loadRules(dir);

    // Assert: the pipe named as the path is a problem; the one in the directory is not a rule file.
    expect(given).toEqual({
      rules: [],
      problems: [{ file: pipe, field: "(the path)", problem: "not a regular file or a directory" }],
    });
    expect(loadRulesSync(pipe)).toEqual(given);
    expect(listed.problems).toEqual([]);
    expect(listed.rules.map((loaded) => loaded.file)).toEqual(["good.yml"]);
  });
});
