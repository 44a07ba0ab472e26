import { readFileSync } from "node:fs";
import type { z } from "zod";
import { ConfigSchema, type RiposteConfig } from "./schema.js";

/** A configuration that failed validation; the message names every bad setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
  }
}

/** A key as written in a setting's path (quoted when it is not a plain name). */
const keyText = (key: PropertyKey) =>
  typeof key === "number" || (typeof key === "string" && /^[\w:-]+$/.test(key))
    ? String(key)
    : JSON.stringify(String(key));

function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(keyText);
    // One line per unknown key, named by its full path (a typo such as remediation.mdoe).
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => `${[...path, keyText(key)].join(".")}: unknown setting`);
    }
    return [`${path.length > 0 ? path.join(".") : "(root)"}: ${issue.message}`];
  });
}

/** Validate a configuration object, filling defaults. `origin` names it in errors. */
export function parseConfig(value: unknown, origin = "configuration"): RiposteConfig {
  const result = ConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw new ConfigError(`${origin} is invalid:\n  ${issues.join("\n  ")}`, issues);
  }
  const issues = crossIssues(result.data);
  if (issues.length > 0) throw new ConfigError(`${origin} is invalid:\n  ${issues.join("\n  ")}`, issues);
  return result.data;
}

/** Settings each valid alone but not together. */
function crossIssues(config: RiposteConfig): string[] {
  const issues: string[] = [];
  // The LookupEvents poll reads each window again from `overlapMinutes` before its end, up to
  // one interval later; the inbox recognises an event read twice only while it remembers it.
  const poll = config.sources.cloudtrailPoll;
  const rereadMinutes = poll.overlapMinutes + poll.intervalSeconds / 60;
  if (config.runtime.dedupeHours * 60 < rereadMinutes) {
    issues.push(
      `runtime.dedupeHours: ${config.runtime.dedupeHours} h is shorter than the CloudTrail poll's overlap plus interval ` +
        `(sources.cloudtrailPoll.overlapMinutes + intervalSeconds: ${Math.round(rereadMinutes * 10) / 10} min), ` +
        "so events it reads twice would be detected twice",
    );
  }
  return issues;
}

/** Read, parse and validate a JSON configuration file; without a path, the defaults. */
export function loadConfig(path?: string): RiposteConfig {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(value, `configuration file ${path}`);
}
