import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS, main } from "./main.js";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd: process.cwd() }, out: () => out, err: () => err };
}

describe("riposte CLI", () => {
  it("prints help listing every command and exits 0", async () => {
    const c = capture();

    const code = await main(["--help"], c.io);

    expect(code).toBe(0);
    for (const name of ["serve", "scan", "rules", "workflows", "config"]) expect(c.out()).toContain(name);
  });

  it("prints the package version", async () => {
    const c = capture();

    const code = await main(["--version"], c.io);

    expect(code).toBe(0);
    expect(c.out().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([[["bogus"]], [["--bogus"]], [[]]])("exits 2 with usage for %j", async (argv) => {
    const c = capture();

    const code = await main(argv, c.io);

    expect(code).toBe(2);
    expect(c.err()).toContain("Usage: riposte <command>");
  });

  it("exits 2 naming an unknown flag of a command", async () => {
    const c = capture();

    const code = await main(["serve", "--frobnicate"], c.io);

    expect(code).toBe(2);
    expect(c.err()).toContain("--frobnicate");
    expect(c.err()).toContain("Usage: riposte serve");
  });

  it("exits 2 naming a bad flag value", async () => {
    const c = capture();

    const code = await main(["serve", "--remediate", "sometimes"], c.io);

    expect(code).toBe(2);
    expect(c.err()).toContain("--remediate must be one of dry-run, live, off");
  });

  it("config check accepts a valid file and names every bad setting of an invalid one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-cli-"));
    const good = join(dir, "good.json");
    const bad = join(dir, "bad.json");
    writeFileSync(good, JSON.stringify({ trustedCidrs: ["10.0.0.0/8"] }));
    writeFileSync(bad, JSON.stringify({ trustedCidrs: ["nope"], scoring: { remediateAt: 500 } }));
    const ok = capture();
    const ko = capture();

    const okCode = await main(["config", "check", good], ok.io);
    const koCode = await main(["config", "check", bad], ko.io);

    expect(okCode).toBe(0);
    expect(JSON.parse(ok.out()).trustedCidrs).toEqual(["10.0.0.0/8"]);
    expect(koCode).toBe(2);
    expect(ko.err()).toContain("trustedCidrs.0");
    expect(ko.err()).toContain("scoring.remediateAt");
  });
});

describe("command registry", () => {
  afterEach(() => vi.restoreAllMocks());

  function spyLoads() {
    return Object.fromEntries(COMMANDS.map((entry) => [entry.name, vi.spyOn(entry, "load")]));
  }

  it.each([[["--version"]], [["--help"]], [[]], [["bogus"]]])("%j loads no command", async (argv) => {
    const loads = spyLoads();

    await main(argv, capture().io);

    for (const load of Object.values(loads)) expect(load).not.toHaveBeenCalled();
  });

  it("a command's --help loads that command only", async () => {
    const loads = spyLoads();
    const c = capture();

    const code = await main(["scan", "--help"], c.io);

    expect(code).toBe(0);
    expect(c.out()).toContain("Usage: riposte scan");
    expect(loads.scan).toHaveBeenCalledOnce();
    for (const [name, load] of Object.entries(loads)) if (name !== "scan") expect(load).not.toHaveBeenCalled();
  });

  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    "%s: the listed name and summary are the command's own",
    async (_name, entry) => {
      const command = await entry.load();

      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    },
  );
});
