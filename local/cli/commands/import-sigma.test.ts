import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadRules } from "../../../core/rules/load.js";
import { SIGMA_CASES } from "../../../test/fixtures/sigma/cases.js";
import { main } from "../main.js";

function capture(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

describe("riposte rules import-sigma", () => {
  it("writes loadable rule files, reports each rule and the share translated cleanly, and scan runs them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-sigma-"));
    mkdirSync(join(dir, "sigma", "nested"), { recursive: true });
    for (const [index, testCase] of SIGMA_CASES.entries()) {
      writeFileSync(join(dir, "sigma", index % 2 ? "nested" : "", `case-${index}.yml`), testCase.yaml);
    }
    const c = capture(dir);
    const code = await main(["rules", "import-sigma", "sigma", "--out", "rules"], c.io);
    expect(code).toBe(0);
    const lines = c.out().trim().split("\n");
    const clean = SIGMA_CASES.filter((testCase) => testCase.outcome === "clean").length;
    const caveat = SIGMA_CASES.filter((testCase) => testCase.outcome === "caveat").length;
    const refused = SIGMA_CASES.length - clean - caveat;
    expect(lines.filter((line) => line.startsWith("translated  "))).toHaveLength(clean);
    expect(lines.filter((line) => line.startsWith("caveat      "))).toHaveLength(caveat);
    expect(lines.filter((line) => line.startsWith("refused     "))).toHaveLength(refused);
    expect(lines).toContain(
      "refused     sigma/nested/case-15.yml: correlation rules (event_count, value_count, temporal) need the generic correlators, which this version does not have",
    );
    expect(lines.at(-1)).toBe(
      `${SIGMA_CASES.length} Sigma rules: ${clean} translated cleanly (${Math.round((clean / SIGMA_CASES.length) * 1000) / 10} %), ${caveat} with a caveat, ${refused} refused; rule files in rules`,
    );
    expect(readdirSync(join(dir, "rules"))).toHaveLength(clean + caveat);
    const loaded = await loadRules(join(dir, "rules"));
    expect(loaded.problems).toEqual([]);
    expect(loaded.rules).toHaveLength(clean + caveat);

    const firing = SIGMA_CASES[0]!.fires!;
    writeFileSync(join(dir, "trail.json"), JSON.stringify({ Records: firing }));
    const scan = capture(dir);
    await main(["scan", "--format", "jsonl", "--rules", "rules", "trail.json"], scan.io);
    expect(scan.out()).toMatch(/"detection":"sigma-test-one-call"/);
  });

  it("needs --out", async () => {
    const c = capture(tmpdir());
    expect(await main(["rules", "import-sigma", "x.yml"], c.io)).toBe(2);
    expect(c.err()).toMatch(/missing --out DIR/);
  });
});
