import { Resource } from "sst/resource";
import { z } from "zod";
import { dashboardTokens } from "../../core/api/auth.js";
import type { ApiToken } from "../../core/api/types.js";
import { parseConfig } from "../../core/config/load.js";
import type { RiposteConfig } from "../../core/config/schema.js";
import { CATEGORIES, type Category } from "../../core/model/catalog.js";
import { parseRule, type UserRule } from "../../core/rules/format.js";
import { problemLine } from "../../core/rules/load.js";
import { workflowLogicalName } from "../../infra/names.js";

/**
 * The linked resources the functions read on AWS (`Resource.<Name>`, decrypted by SST from the
 * function package), each validated on first use with an error that names the link and the
 * problem. Links are data: the configuration, table name, state machine ARNs and secrets.
 */

const SettingsSchema = z.object({
  /** The validated configuration, as JSON (the stacks fill in the alerts topic and dashboard URL). */
  config: z.string().min(2),
  /** The users' rules of `rules.dir`, validated at deploy time, as a JSON array (`deployedRules`). */
  rules: z.string().min(2).default("[]"),
  version: z.string().min(1),
  stage: z.string().min(1),
});

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w.-]{1,80}$/;

const SCHEMAS = {
  Settings: SettingsSchema,
  Incidents: z.object({ name: z.string().min(3) }),
  CorrelateQueue: z.object({ url: z.string().url() }),
  SlackFollowUps: z.object({ url: z.string().url() }),
  SlackBotToken: z.object({ value: z.string() }),
  SlackSigningSecret: z.object({ value: z.string() }),
  DashboardToken: z.object({ value: z.string().min(1) }),
  DashboardUsers: z.object({ value: z.string() }),
  IntakeToken: z.object({ value: z.string() }),
} as const;

export type LinkedName = keyof typeof SCHEMAS;
export type Linked<N extends LinkedName> = z.output<(typeof SCHEMAS)[N]>;

/** Where links are read from: SST's `Resource` on AWS; tests pass a plain object. */
export type LinkSource = Record<string, unknown>;

export const sstLinks = (): LinkSource => Resource as unknown as LinkSource;

/** A linked resource, validated; throws naming the link when it is missing or malformed. */
export function linked<N extends LinkedName>(name: N, source: LinkSource = sstLinks()): Linked<N> {
  let value: unknown;
  try {
    value = source[name];
  } catch (error) {
    throw new Error(`the ${name} link is not available: ${(error as Error).message}`);
  }
  const parsed = SCHEMAS[name].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(value)"}: ${issue.message}`);
    throw new Error(`the ${name} link is missing or invalid: ${issues.join("; ")}`);
  }
  return parsed.data as Linked<N>;
}

/** A secret's value, or undefined when it is unset or blank (`sst secret set` never ran). */
export function optionalSecret(
  name: "SlackBotToken" | "SlackSigningSecret" | "DashboardUsers" | "IntakeToken",
  source?: LinkSource,
): string | undefined {
  let value: string;
  try {
    value = linked(name, source).value.trim();
  } catch {
    return undefined;
  }
  return value.length > 0 ? value : undefined;
}

/**
 * The dashboard's tokens: one per person from the DashboardUsers secret (`name=token` pairs; unset
 * or unlinked means none) and the DashboardToken secret as "dashboard". A malformed DashboardUsers
 * throws naming the secret and the entry, never a token (the deploy refuses one first).
 */
export function linkedDashboardTokens(source: LinkSource = sstLinks()): ApiToken[] {
  return dashboardTokens({
    users: optionalSecret("DashboardUsers", source),
    shared: linked("DashboardToken", source).value,
    names: { users: "the DashboardUsers secret", shared: "the DashboardToken secret" },
  });
}

/** The deployed configuration, validated again with the same schema as at deploy time. */
export function deployedConfig(source?: LinkSource): RiposteConfig {
  let raw: unknown;
  const settings = linked("Settings", source);
  try {
    raw = JSON.parse(settings.config);
  } catch (error) {
    throw new Error(`the Settings link's config is not JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, "the deployed configuration (Settings link)");
}

/**
 * The deployed users' rules (the Settings link's `rules`), validated again with the same parser as
 * at deploy time: a rule that no longer validates stops the function naming the rule and the field,
 * rather than run differently from what was deployed.
 */
export function deployedRules(source?: LinkSource): UserRule[] {
  const settings = linked("Settings", source);
  let raw: unknown;
  try {
    raw = JSON.parse(settings.rules);
  } catch (error) {
    throw new Error(`the Settings link's rules are not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new Error("the Settings link's rules are not a list");
  return raw.map((document, i) => {
    const result = parseRule(document, `deployed rule ${i + 1}`);
    if ("problems" in result) throw new Error(result.problems.map(problemLine).join("; "));
    return result.rule;
  });
}

/** Every category's deployed state machine ARN, from the state machines' own links. */
export function stateMachineArns(source: LinkSource = sstLinks()): Record<Category, string> {
  const arns = {} as Record<Category, string>;
  for (const category of CATEGORIES) {
    const name = workflowLogicalName(category);
    let value: unknown;
    try {
      value = source[name];
    } catch (error) {
      throw new Error(`the ${name} link is not available: ${(error as Error).message}`);
    }
    const arn = (value as { arn?: unknown } | undefined)?.arn;
    if (typeof arn !== "string" || !STATE_MACHINE_ARN.test(arn)) {
      throw new Error(`the ${name} link is missing or has no state machine ARN`);
    }
    arns[category] = arn;
  }
  return arns;
}
