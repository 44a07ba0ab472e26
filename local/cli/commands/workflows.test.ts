import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CATEGORIES } from "../../../core/model/catalog.js";
import { placeholder } from "../../../workflows/functions.js";
import { allWorkflows } from "../../../workflows/index.js";
import { main } from "../main.js";
import { refusedDefinitions } from "./workflows.js";

function capture(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

describe("riposte workflows export", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "riposte-cli-workflows-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one <category>.asl.json per category, relative to the working directory", async () => {
    const c = capture(dir);

    const code = await main(["workflows", "export", "asl"], c.io);

    expect(code).toBe(0);
    expect(c.out().trim().split("\n")).toEqual(CATEGORIES.map((category) => join(dir, "asl", `${category}.asl.json`)));
    const network = JSON.parse(await readFile(join(dir, "asl", "network.asl.json"), "utf8"));
    expect(network.QueryLanguage).toBe("JSONata");
    expect(JSON.stringify(network)).toContain(placeholder("remediate"));
  });

  it.each([
    [["workflows"]],
    [["workflows", "export"]],
    [["workflows", "list", "x"]],
    [["workflows", "export", "a", "b"]],
  ])("exits 2 with the usage for %j", async (argv) => {
    const c = capture(dir);

    const code = await main(argv, c.io);

    expect(code).toBe(2);
    expect(c.err()).toContain("Usage: riposte workflows export <dir>");
  });

  it("exits 1 naming the directory when it cannot be written", async () => {
    const c = capture(dir);
    await writeFile(join(dir, "taken"), "a file, not a directory");

    const code = await main(["workflows", "export", "taken"], c.io);

    expect(code).toBe(1);
    expect(c.err()).toContain("cannot write to taken");
  });

  it("checks every definition as Step Functions would before writing, and names what it refuses", () => {
    const definition = {
      QueryLanguage: "JSONata",
      StartAt: "A",
      States: { A: { Type: "Pass", Output: "{% $.x ?? 1 %}", End: true } },
    };

    expect(refusedDefinitions(allWorkflows())).toEqual([]);
    expect(refusedDefinitions([{ name: "riposte-bad", definition }])).toEqual([
      'riposte-bad: state "A", field Output: refers to $, which Step Functions does not provide in JSONata; use $states.input or a variable',
      expect.stringMatching(/^riposte-bad: state "A": Output is not valid JSONata/),
    ]);
  });
});
