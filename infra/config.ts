import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig } from "../core/config/load.js";
import type { RiposteConfig } from "../core/config/schema.js";
import { actionsInUse } from "../core/remediation/responses.js";
import type { UserRule } from "../core/rules/format.js";
import { problemLine } from "../core/rules/load.js";
import { loadRulesSync } from "../core/rules/load-sync.js";
import type { AccessContext } from "./access.js";
import { MAX_PATTERN_CHARS } from "./rules.js";

/**
 * The configuration a deployment is built from, read once when the stacks run: the same JSON file
 * `riposte serve` reads, validated with the same schema, plus the checks only a deployment needs.
 * The stacks derive the EventBridge rules and IAM policies from it and hand it to every function,
 * so what was validated at deploy time is exactly what runs.
 */

export interface DeployConfig {
  config: RiposteConfig;
  /** The file it came from, or "defaults". */
  source: string;
  /** The users' rules of `rules.dir`, validated: each becomes an EventBridge rule and ships to the functions. None when absent. */
  rules?: UserRule[];
}

/**
 * Where a stage's configuration lives: `RIPOSTE_CONFIG` when set (it must exist), else
 * `riposte.config.<stage>.json`, else `riposte.config.json`, else none (the defaults).
 */
export function deployConfigPath(
  stage: string,
  options: { env?: Record<string, string | undefined>; cwd?: string; exists?: (path: string) => boolean } = {},
): string | undefined {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const exists = options.exists ?? existsSync;
  const explicit = env.RIPOSTE_CONFIG?.trim();
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!exists(path)) throw new ConfigError(`RIPOSTE_CONFIG names ${path}, which does not exist`);
    return path;
  }
  return [join(cwd, `riposte.config.${stage}.json`), join(cwd, "riposte.config.json")].find((path) => exists(path));
}

/** AWS's tag key and value character sets (the Tagging API's documented patterns). */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Problems that make a valid configuration unfit to deploy; each names the setting. */
export function deployProblems(config: RiposteConfig): string[] {
  const problems: string[] = [];
  const prefix = config.protection.toolRolePrefix;
  const memberRole = config.aws.organization?.memberRole;
  if (memberRole && !memberRole.name.startsWith(prefix)) {
    problems.push(
      `aws.organization.memberRole.name: "${memberRole.name}" must start with protection.toolRolePrefix "${prefix}", or the changes it makes would be detected as incidents (loop prevention)`,
    );
  }
  if (!/^[\w+=,.@-]{1,40}$/.test(prefix)) {
    problems.push(
      `protection.toolRolePrefix: "${prefix}" must be 1 to 40 characters valid in an IAM role name, since every Riposte role name starts with it`,
    );
  }
  const tag = config.protection.tag;
  if (!TAG_KEY.test(tag.key) || tag.key.toLowerCase().startsWith("aws:")) {
    problems.push(
      `protection.tag.key: "${tag.key}" is not an AWS tag key (1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:); the remediation roles deny changes to resources carrying it`,
    );
  }
  if (!TAG_VALUE.test(tag.value)) {
    problems.push(
      `protection.tag.value: "${tag.value}" is not an AWS tag value (up to 256 letters, digits, spaces and _ . : / = + - @)`,
    );
  }
  return problems;
}

/** What the generated IAM policies depend on in a configuration (`accessFor`). */
export function accessContextOf(config: RiposteConfig): AccessContext {
  return {
    mode: config.remediation.mode,
    encryptAlerts: config.aws.encryptAlerts,
    crossAccount: config.aws.organization?.memberRole !== undefined,
    organizationId: config.aws.organization?.id,
    actions: actionsInUse(config),
    securityHubExport: config.securityHub.export,
    protectionTag: config.protection.tag,
  };
}

/**
 * The rules of `rules.dir` (relative to `cwd`), validated as `riposte scan --rules` validates them
 * and held to EventBridge's pattern quota. Unlike `scan`, which runs the rules that load, a
 * deployment takes all or none: each problem is a line `rules.dir: file: field: problem`.
 */
export function deployRules(config: RiposteConfig, cwd: string): { rules: UserRule[]; problems: string[] } {
  const dir = config.rules.dir;
  if (dir === undefined) return { rules: [], problems: [] };
  const loaded = loadRulesSync(resolve(cwd, dir), { maxPatternChars: MAX_PATTERN_CHARS });
  return {
    rules: loaded.rules.map((entry) => entry.rule),
    problems: loaded.problems.map((problem) => `rules.dir: ${problemLine(problem)}`),
  };
}

/** Load, validate and check the stage's configuration and its rules; throws `ConfigError` naming each problem. */
export function loadDeployConfig(
  stage: string,
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): DeployConfig {
  const path = deployConfigPath(stage, options);
  const config = loadConfig(path);
  const own = deployRules(config, options.cwd ?? process.cwd());
  const problems = [...deployProblems(config), ...own.problems];
  const source = path ?? "defaults";
  if (problems.length > 0) {
    throw new ConfigError(`${source} cannot be deployed:\n  ${problems.join("\n  ")}`, problems);
  }
  return { config, source, rules: own.rules };
}

/**
 * The configuration the functions run with: the deployed one, with what only the deployment knows
 * filled in where the file left it unset — the alerts topic, the dashboard's URL (for links in
 * notices) and its origin (for the API's CORS check).
 */
export function runtimeConfig(
  config: RiposteConfig,
  deployment: { alertsTopicArn: string; dashboardUrl: string },
): RiposteConfig {
  const origin = new URL(deployment.dashboardUrl).origin;
  return {
    ...config,
    notify: {
      ...config.notify,
      sns: config.notify.sns ?? { topicArn: deployment.alertsTopicArn },
      dashboardUrl: config.notify.dashboardUrl ?? deployment.dashboardUrl,
    },
    api: {
      ...config.api,
      allowedOrigins: config.api.allowedOrigins.includes(origin)
        ? config.api.allowedOrigins
        : [...config.api.allowedOrigins, origin],
    },
  };
}

/** The package version, for the API's health answer. */
export function packageVersion(cwd: string = process.cwd()): string {
  const text = readFileSync(join(cwd, "package.json"), "utf8");
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error("package.json has no version");
  return version;
}
