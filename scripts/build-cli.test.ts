import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// Plain .mjs files (run by node before anything is compiled): loaded by URL, typed here.
interface DistStateModule {
  distState(root: string): "installed" | "fresh" | "stale";
  STAMP: string;
}
interface BuildCliModule {
  buildCli(options: { force?: boolean; root?: string }): Promise<{ outputs: number; packages: string[] } | undefined>;
}
const { distState, STAMP } = (await import(new URL("../bin/dist-state.mjs", import.meta.url).href)) as DistStateModule;
const { buildCli } = (await import(new URL("./build-cli.mjs", import.meta.url).href)) as BuildCliModule;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A checkout in miniature: the two entry points, a package.json, no dist/ yet. */
function checkout(options: { dependencies?: Record<string, string>; runImports?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "riposte-build-"));
  roots.push(root);
  for (const dir of ["core/engine", "local/cli", "workflows", "infra", "functions"])
    mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(
    join(root, "package.json"),
    JSON.stringify({ name: "riposte", type: "module", dependencies: options.dependencies ?? {} }),
  );
  writeFileSync(
    join(root, "local/cli/run.ts"),
    `${options.runImports ?? ""}\nexport async function runCli(argv: string[]): Promise<void> { console.log(argv.length); }\n`,
  );
  writeFileSync(join(root, "core/engine/scan-reader.ts"), "export const reader: number = 1;\n");
  writeFileSync(join(root, "core/engine/reader.test.ts"), "export {};\n");
  return root;
}

/** Move a path's modification time `seconds` into the future (later than any build so far). */
function touchLater(path: string, seconds = 10): void {
  const later = new Date(Date.now() + seconds * 1000);
  utimesSync(path, later, later);
}

describe("distState", () => {
  it("is installed when there are no sources beside bin/ (an npm package)", () => {
    const root = mkdtempSync(join(tmpdir(), "riposte-installed-"));
    roots.push(root);
    mkdirSync(join(root, "dist"));

    expect(distState(root)).toBe("installed");
  });

  it("is stale in a checkout that was never built", () => {
    expect(distState(checkout())).toBe("stale");
  });

  it("is fresh after a build, stale once a source is edited, added or removed", async () => {
    const root = checkout();
    await buildCli({ root });
    expect(distState(root)).toBe("fresh");

    touchLater(join(root, "core/engine/scan-reader.ts"));
    expect(distState(root)).toBe("stale");

    await buildCli({ root });
    expect(distState(root)).toBe("fresh");
    rmSync(join(root, "core/engine/scan-reader.ts"));
    touchLater(join(root, "core/engine"), 20);
    expect(distState(root)).toBe("stale");
  });

  it("stays fresh when only a test file changes (tests are not compiled)", async () => {
    const root = checkout();
    await buildCli({ root });

    touchLater(join(root, "core/engine/reader.test.ts"));

    expect(distState(root)).toBe("fresh");
  });

  it("is stale when the stamp is not a time", async () => {
    const root = checkout();
    await buildCli({ root });

    writeFileSync(join(root, STAMP), "garbage");

    expect(distState(root)).toBe("stale");
  });
});

describe("buildCli", () => {
  it("compiles the entry points into dist/ and leaves a current dist/ alone", async () => {
    const root = checkout();

    const first = await buildCli({ root });
    const second = await buildCli({ root });

    expect(first?.outputs).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(root, "dist/run.js"), "utf8")).toContain("runCli");
    expect(existsSync(join(root, "dist/scan-reader.js"))).toBe(true);
    expect(second).toBeUndefined();
  });

  it("refuses a runtime import of a package that is not in dependencies, and keeps the old dist/", async () => {
    const root = checkout({ runImports: 'import Database from "better-sqlite3";\nexport const db = Database;' });
    await expect(buildCli({ root })).rejects.toThrow(/better-sqlite3.*"dependencies"/);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("accepts the same import once the package is a dependency", async () => {
    const root = checkout({
      dependencies: { "better-sqlite3": "^12" },
      runImports: 'import Database from "better-sqlite3";\nexport const db = Database;',
    });

    const built = await buildCli({ root });

    expect(built?.packages).toEqual(["better-sqlite3"]);
  });
});

describe("bin/riposte.mjs", () => {
  const repoRoot = fileURLToPath(new URL("../", import.meta.url));

  /** A miniature checkout with the real bin/ and node_modules (for tsx); run.ts says how it ran. */
  function runnable(): string {
    const root = checkout();
    writeFileSync(
      join(root, "local/cli/run.ts"),
      [
        "export async function runCli(argv: string[]): Promise<void> {",
        '  const how = import.meta.url.endsWith(".ts") ? "sources" : "compiled";',
        '  process.stdout.write([how, ...argv].join(" "));',
        "}",
        "",
      ].join("\n"),
    );
    mkdirSync(join(root, "bin"));
    for (const file of ["riposte.mjs", "dist-state.mjs"])
      copyFileSync(join(repoRoot, "bin", file), join(root, "bin", file));
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
    return root;
  }

  function run(root: string) {
    return spawnSync(process.execPath, [join(root, "bin/riposte.mjs"), "a", "b"], {
      encoding: "utf8",
      timeout: 120_000,
    });
  }

  it("runs the sources through tsx, with a notice, while dist/ is missing or stale; dist/ once it is current", async () => {
    const root = runnable();

    const missing = run(root);
    await buildCli({ root });
    const fresh = run(root);
    touchLater(join(root, "local/cli/run.ts"));
    const stale = run(root);

    expect(missing.stdout).toBe("sources a b");
    expect(missing.stderr).toContain("dist/ is missing or older than the sources");
    expect(fresh.stdout).toBe("compiled a b");
    expect(fresh.stderr).toBe("");
    expect(stale.stdout).toBe("sources a b");
    expect(stale.stderr).toContain("running them through tsx");
  });

  it("in an installed package (no sources) without dist/, says the installation is incomplete", () => {
    const root = runnable();
    for (const dir of ["core", "local", "workflows", "infra", "functions"])
      rmSync(join(root, dir), { recursive: true });

    const result = run(root);

    expect(result.status).toBe(70);
    expect(result.stderr).toContain("this installation is incomplete");
  });
});
