import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cycles,
  type ImportEdge,
  importSpecifiers,
  relativeImports,
  resolveRelative,
  sourceFiles,
  topDirectory,
} from "./imports.js";

/**
 * The layering CONTRIBUTING.md describes, enforced (issue 18 part 4). A layer imports only from
 * itself and the layers below it; `local` and `stacks` share a rank and never import each other.
 * `scripts/` and `sst.config.ts` sit above everything and are not checked for climbing. A test
 * beside the code (`*.test.ts`) follows its directory's rule, and may also import `test/`.
 */
const LAYERS: Readonly<Record<string, number>> = {
  core: 0, // the domain: detections, events, incidents, remediation, stores (no AWS deployment)
  workflows: 1, // the Step Functions ASL, built from core's model
  infra: 2, // deployment planning: names, roles, policies, rules, throughput (what stacks/ deploy)
  functions: 3, // the Lambda handlers
  local: 4, // riposte serve / scan: runs the same handlers in one process
  stacks: 4, // SST: turns infra/'s plans into AWS resources
};

const root = join(import.meta.dirname, "..", "..");
const isTest = (file: string) => file.endsWith(".test.ts");
const productionFiles = Object.keys(LAYERS)
  .flatMap((dir) => sourceFiles(root, dir))
  .filter((file) => !isTest(file));
const edges = relativeImports(root, productionFiles);
const testFiles = Object.keys(LAYERS)
  .flatMap((dir) => sourceFiles(root, dir))
  .filter(isTest);

/** Why an import breaks the layering, or undefined when it does not. */
function climb(edge: ImportEdge): string | undefined {
  const from = topDirectory(edge.from);
  const to = topDirectory(edge.to);
  const rank = LAYERS[from];
  if (rank === undefined) return undefined;
  if (to === "test" || isTest(edge.to))
    return isTest(edge.from) ? undefined : `${edge.from} imports test code ${edge.to}`;
  if (from === to) return undefined;
  const target = LAYERS[to];
  if (target === undefined) return `${edge.from} imports ${edge.to}, outside every layer`;
  if (target >= rank) return `${edge.from} (${from}) imports ${edge.to} (${to}): ${to} is not below ${from}`;
  return undefined;
}

const edge = (from: string, specifier: string): ImportEdge => ({
  from,
  specifier,
  to: resolveRelative(from, specifier),
});

describe("the scanner finds imports", () => {
  it("in every form, and not in comments, strings, templates or regular expressions", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'export * from "./c.js";',
      'export { d } from "./d.js";',
      'import "./side-effect.js";',
      'const lazy = await import("../../workflows/index.js");',
      'import {\n  e,\n  f,\n} from "./multi-line.js";',
      '// import { x } from "../../local/in-comment.js";',
      '/* export * from "../../stacks/in-block-comment.js"; */',
      'const text = "import { y } from \\"../../functions/in-string.js\\"";',
      'const template = `import("../../local/in-template.js") $' + '{"x"}`;',
      'const quote = /["\'`]/g; const after = await import("./after-regex.js");',
      "const ratio = total / count; const next = 2 / 1;",
    ].join("\n");

    expect(importSpecifiers(source)).toEqual(
      expect.arrayContaining([
        "./a.js",
        "../b.js",
        "./c.js",
        "./d.js",
        "./side-effect.js",
        "../../workflows/index.js",
        "./multi-line.js",
        "./after-regex.js",
      ]),
    );
    expect(importSpecifiers(source)).toHaveLength(8);
  });

  it("resolves a NodeNext `.js` specifier and an extensionless one to the .ts file", () => {
    expect(resolveRelative("core/deploy/workflows.ts", "../../workflows/index.js")).toBe("workflows/index.ts");
    expect(resolveRelative("sst.config.ts", "./infra/stages")).toBe("infra/stages.ts");
  });
});

describe("the layer rule", () => {
  it("refuses an import that climbs, one across local/stacks, and one into test code", () => {
    expect(climb(edge("core/deploy/workflows.ts", "../../workflows/index.js"))).toMatch(
      /core\/deploy\/workflows\.ts \(core\) imports workflows\/index\.ts \(workflows\): workflows is not below core/,
    );
    expect(climb(edge("infra/names.ts", "../functions/open.js"))).toMatch(/functions is not below infra/);
    expect(climb(edge("local/cli/run.ts", "../../stacks/web.js"))).toMatch(/stacks is not below local/);
    expect(climb(edge("core/x.ts", "../test/fixtures.js"))).toMatch(/imports test code/);
    expect(climb(edge("core/x.test.ts", "../functions/open.js"))).toMatch(/functions is not below core/);
    expect(climb(edge("core/x.test.ts", "../test/fixtures.js"))).toBeUndefined();
    expect(climb(edge("core/x.ts", "./y.test.js"))).toMatch(/core\/x\.ts imports test code core\/y\.test\.ts/);
    expect(climb(edge("core/x.ts", "../scripts/docs/costs.js"))).toMatch(/outside every layer/);
  });

  it("allows an import within a layer or down", () => {
    for (const [from, specifier] of [
      ["core/engine/engine.ts", "../events/index.js"],
      ["workflows/index.ts", "../core/model/tasks.js"],
      ["infra/workflows.ts", "../workflows/index.js"],
      ["functions/correlate.ts", "../infra/rules.js"],
      ["local/runtime/tasks.ts", "../../functions/open.js"],
      ["stacks/workflows.ts", "../infra/workflows"],
    ] as const)
      expect(climb(edge(from, specifier)), `${from} -> ${specifier}`).toBeUndefined();
  });

  it("holds for every import of the production code", () => {
    expect(productionFiles.length).toBeGreaterThan(200);
    expect(edges.length).toBeGreaterThan(1000);

    expect(edges.map(climb).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it("holds for every test beside the code", () => {
    expect(testFiles.length).toBeGreaterThan(100);

    expect(
      relativeImports(root, testFiles)
        .map(climb)
        .filter((problem) => problem !== undefined),
    ).toEqual([]);
  });
});

describe("import cycles", () => {
  it("are found, with every file of the cycle", () => {
    const found = cycles([edge("core/a.ts", "./b.js"), edge("core/b.ts", "./c.js"), edge("core/c.ts", "./a.js")]);

    expect(found).toEqual([["core/a.ts", "core/b.ts", "core/c.ts"]]);
    expect(cycles([edge("core/a.ts", "./b.js"), edge("core/b.ts", "./c.js")])).toEqual([]);
  });

  it("are none in the production code", () => {
    expect(cycles(edges), "new import cycle (break it: move the shared types down)").toEqual([]);
  });

  it("are none between core's rooms either: its folders (and top-level files) stack in floors", () => {
    // A folder of core/ that imports another which (through others) imports it back has no floor
    // of its own: the shared part belongs lower (core/model/, core/risk/) or the caller higher.
    const room = (file: string) => file.split("/").slice(0, 2).join("/");
    const between = edges
      .filter((e) => topDirectory(e.from) === "core" && topDirectory(e.to) === "core")
      .map((e) => ({ ...e, from: room(e.from), to: room(e.to) }))
      .filter((e) => e.from !== e.to);

    expect(between.length).toBeGreaterThan(100);
    expect(cycles(between), "core/ folders importing each other in a loop").toEqual([]);
  });
});

describe("the compiled CLI's staleness check", () => {
  it("watches every source directory the CLI imports from", async () => {
    const { SOURCE_DIRS } = (await import(new URL("../../bin/dist-state.mjs", import.meta.url).href)) as {
      SOURCE_DIRS: string[];
    };
    const reached = new Set<string>();
    const pending = ["local/cli/run.ts", "core/engine/scan-reader.ts"];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const next of edges) if (next.from === file) pending.push(next.to);
    }
    const directories = new Set([...reached].map(topDirectory));

    expect(directories).toContain("infra");
    expect([...directories].filter((dir) => !SOURCE_DIRS.includes(dir))).toEqual([]);
  });
});
