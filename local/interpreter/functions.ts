import { createHash, randomUUID } from "node:crypto";
import type jsonata from "jsonata";

/**
 * The JSONata functions Step Functions adds to the language (replacements for the JSONPath
 * intrinsics), and `$now`/`$millis` bound to the interpreter's clock so tests control time.
 * `$eval` is not available on Step Functions and is refused when a definition is loaded.
 */

export interface FunctionEnvironment {
  now(): number;
  random(): number;
}

// Errors thrown here surface as States.QueryEvaluationError naming the function.
function fail(fn: string, message: string): never {
  throw new Error(`$${fn}: ${message}`);
}

function partition(array: unknown, size: unknown): unknown[][] {
  if (!Array.isArray(array)) fail("partition", "the first argument must be an array");
  if (typeof size !== "number" || !Number.isFinite(size) || Math.floor(size) < 1) {
    fail("partition", "the chunk size must be a positive integer");
  }
  const chunk = Math.floor(size);
  const chunks: unknown[][] = [];
  for (let index = 0; index < array.length; index += chunk) chunks.push(array.slice(index, index + chunk));
  return chunks;
}

const MAX_RANGE_ITEMS = 1000;

/** Inclusive of `end`, like States.ArrayRange; at most 1000 items. */
function range(start: unknown, end: unknown, step: unknown): number[] {
  for (const [name, value] of [
    ["start", start],
    ["end", end],
    ["step", step],
  ] as const) {
    if (typeof value !== "number" || !Number.isFinite(value)) fail("range", `${name} must be a number`);
  }
  const [from, to, by] = [Math.floor(start as number), Math.floor(end as number), Math.floor(step as number)];
  if (by === 0) fail("range", "step must not be zero");
  const values: number[] = [];
  for (let value = from; by > 0 ? value <= to : value >= to; value += by) {
    if (values.length >= MAX_RANGE_ITEMS) fail("range", `the range has more than ${MAX_RANGE_ITEMS} items`);
    values.push(value);
  }
  return values;
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

function hash(data: unknown, algorithm: unknown): string {
  if (typeof data !== "string") fail("hash", "the data must be a string");
  const node = typeof algorithm === "string" ? HASH_ALGORITHMS[algorithm] : undefined;
  if (!node) fail("hash", `the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(", ")}`);
  return createHash(node).update(data, "utf8").digest("hex");
}

/** mulberry32: the same seed always yields the same number, as `$random(seed)` promises. */
function seededRandom(seed: number): number {
  let t = (Math.floor(seed) + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function parse(text: unknown): unknown {
  if (typeof text !== "string") fail("parse", "the argument must be a JSON string");
  try {
    return JSON.parse(text);
  } catch (error) {
    fail("parse", `not valid JSON (${(error as Error).message})`);
  }
}

interface BuiltIn {
  implementation: (...args: unknown[]) => unknown;
}

/** Register the Step Functions functions and the clock-bound time functions on an expression. */
export function registerStepFunctionsFunctions(expression: jsonata.Expression, env: FunctionEnvironment): void {
  expression.registerFunction("partition", partition);
  expression.registerFunction("range", range);
  expression.registerFunction("hash", hash);
  expression.registerFunction("random", (seed?: unknown) => {
    if (seed === undefined) return env.random();
    if (typeof seed !== "number" || !Number.isFinite(seed)) fail("random", "the seed must be an integer");
    return seededRandom(seed);
  });
  expression.registerFunction("uuid", () => randomUUID());
  expression.registerFunction("parse", parse);
  expression.registerFunction("millis", () => env.now());
  expression.registerFunction("now", function (this: jsonata.Focus, picture?: unknown, timezone?: unknown) {
    // Formatting with a picture is JSONata's own $fromMillis; only the instant is ours.
    const fromMillis = this.environment.lookup("fromMillis") as BuiltIn | undefined;
    if (!fromMillis || (picture === undefined && timezone === undefined)) return new Date(env.now()).toISOString();
    return fromMillis.implementation.call(this, env.now(), picture, timezone);
  });
}
