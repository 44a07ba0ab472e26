import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { MAX_READERS, type ScanStart, startScan } from "../../../core/engine/scan-start.js";
import { type CliIo, UsageError } from "../command.js";
import { tuneV8ForScan } from "../v8-tuning.js";

/**
 * What `riposte scan` can begin from its arguments alone, before its own code (the detections,
 * the exports) is loaded: list the input and start the reader threads, which load their code
 * meanwhile. Light on purpose: the CLI imports it first (`CommandEntry.begin`).
 */

export const SCAN_OPTIONS = {
  format: { type: "string" },
  "fail-on": { type: "string" },
  config: { type: "string" },
  account: { type: "string" },
  region: { type: "string" },
  rules: { type: "string" },
  readers: { type: "string" },
} as const;

/** `--readers`: a whole number of reader threads, 0 to `MAX_READERS`. */
export function readersOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const count = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(count >= 0 && count <= MAX_READERS)) {
    throw new UsageError(`--readers must be a whole number from 0 to ${MAX_READERS} (got "${text}")`);
  }
  return count;
}

/** The scan's start, or undefined for arguments the scan will refuse (it reports them). */
export function beginScan(args: readonly string[], io: CliIo): ScanStart | undefined {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: SCAN_OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length === 0) return undefined;
    // Before the scan's code loads and its reader threads start (flags apply to later compiles).
    tuneV8ForScan();
    return startScan(
      positionals.map((path) => resolve(io.cwd, path)),
      readersOption(values.readers),
    );
  } catch {
    return undefined;
  }
}
