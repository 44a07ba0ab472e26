import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { scanFlagsFor } from "../../local/cli/v8-tuning.js";

/**
 * The scan's V8 flags are ones the running V8 knows: setting an unknown flag makes V8 print an
 * error through C's standard output, into a scan's JSON lines (or lost in a buffer, depending on
 * where the output goes). Checked against the V8's own list of flags, on this machine's Node and
 * on Node 22 (which gets no flag today: `scanFlagsFor` gives them only to the V8 measured).
 */

const run = promisify(execFile);
let known: Set<string>;

beforeAll(async () => {
  const { stdout } = await run(process.execPath, ["--v8-options"], { maxBuffer: 16 * 1024 * 1024 });
  known = new Set([...stdout.matchAll(/^\s+--([a-z0-9-]+) \(/gm)].map((match) => match[1]!));
});

describe(`scan V8 flags on Node ${process.versions.node}`, { timeout: 60_000 }, () => {
  it("reads the V8's list of flags", () => {
    expect(known.has("max-inlined-bytecode-size-cumulative")).toBe(true);
    expect(known.has("riposte-no-such-flag")).toBe(false);
  });

  it("are all known to this V8", () => {
    const flags = scanFlagsFor(process.versions.v8, "");
    const names = flags.map((flag) => flag.slice(2, flag.indexOf("=")));

    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });
});
