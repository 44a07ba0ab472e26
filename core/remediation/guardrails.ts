import type { RiposteConfig } from "../config/schema.js";
import type { Enrichment } from "../model/incident.js";
import { quoted } from "./actions/facts.js";
import type { IncidentView } from "./types.js";

/**
 * The guardrails that keep remediation from doing harm: never act on what Riposte's own role did
 * (loop prevention), never touch protected resources (tag) or principals (ARN patterns), and know
 * production when it is tagged. Each answers with a reason in plain words, or undefined.
 */

/** Glob match with `*` (any run) and `?` (one character), whole string, case-sensitive like ARNs. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(text);
}

/** The role name inside a role or assumed-role ARN (`…:role/path/Name`, `…:assumed-role/Name/session`). */
export function roleNameOf(arn: string): string | undefined {
  const assumed = /:assumed-role\/([^/]+)(\/|$)/.exec(arn);
  if (assumed) return assumed[1];
  const role = /:role\/(.+)$/.exec(arn);
  return role?.[1]?.split("/").at(-1);
}

/** An assumed-role session ARN as the role's IAM ARN, so patterns on roles match sessions too. */
function asRoleArn(arn: string): string | undefined {
  const match = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}

function strings(...values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === "string" && v !== "");
}

/** The actor's identities as the incident knows them: ARNs, session ARNs as role ARNs. */
export function actorArns(incident: IncidentView, enrichment?: Enrichment): string[] {
  const arns = strings(incident.principal, incident.facts.principalArn, enrichment?.principal?.arn);
  return [...new Set([...arns, ...arns.map(asRoleArn).filter((a): a is string => a !== undefined)])];
}

/** Loop prevention: the event was caused by Riposte's own role (`protection.toolRolePrefix`). */
export function causedByTool(
  incident: IncidentView,
  config: RiposteConfig,
  enrichment?: Enrichment,
): string | undefined {
  const prefix = config.protection.toolRolePrefix;
  const roleNames = [...actorArns(incident, enrichment).map(roleNameOf), ...strings(incident.facts.roleName)].filter(
    (name): name is string => name !== undefined,
  );
  const own = roleNames.find((name) => name.startsWith(prefix));
  if (own) return `the event was caused by Riposte's own role ${quoted(own)} (loop prevention)`;
  const tool = toolPrincipal(actorArns(incident, enrichment), config);
  return tool ? `the event was caused by Riposte: ${tool} (loop prevention)` : undefined;
}

/** The first of `arns` that is a role of Riposte's own (name starting with `protection.toolRolePrefix`). */
export function ownRole(arns: readonly string[], config: RiposteConfig): string | undefined {
  const own = arns.find((arn) => roleNameOf(arn)?.startsWith(config.protection.toolRolePrefix));
  return own ? `${quoted(own)} is Riposte's own role` : undefined;
}

/** The first of `arns` that is an identity Riposte remediates as (`protection.toolPrincipals`). */
export function toolPrincipal(arns: readonly string[], config: RiposteConfig): string | undefined {
  for (const pattern of config.protection.toolPrincipals) {
    const hit = arns.find((arn) => wildcardMatch(pattern, arn));
    if (hit) return `${quoted(hit)} is an identity Riposte remediates as (${quoted(pattern)})`;
  }
  return undefined;
}

/** The first protected-principal pattern any of `arns` matches. */
export function protectedPrincipal(arns: readonly string[], config: RiposteConfig): string | undefined {
  for (const pattern of config.protection.principals) {
    const hit = arns.find((arn) => wildcardMatch(pattern, arn));
    if (hit) return `${quoted(hit)} is a protected principal (${quoted(pattern)})`;
  }
  return undefined;
}

function tagMatches(tags: Record<string, string> | undefined, key: string, values: readonly string[]): boolean {
  if (!tags) return false;
  return Object.entries(tags).some(
    ([k, v]) =>
      k.toLowerCase() === key.toLowerCase() && values.some((value) => value.toLowerCase() === v.toLowerCase()),
  );
}

function factTags(incident: IncidentView): Record<string, string> | undefined {
  const tags = incident.facts.tags;
  if (typeof tags !== "object" || tags === null) return undefined;
  return Object.fromEntries(
    Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** Whether tags carry the protection tag (`protection.tag`, default `riposte:protect=true`). */
export function tagsProtect(tags: Record<string, string> | undefined, config: RiposteConfig): boolean {
  const { key, value } = config.protection.tag;
  return tagMatches(tags, key, [value]);
}

/** Protected resource: the protection tag on the resource (enrichment or facts), or enrichment says so. */
export function protectedResource(
  incident: IncidentView,
  config: RiposteConfig,
  enrichment?: Enrichment,
): string | undefined {
  const resource = enrichment?.resource;
  const { key, value } = config.protection.tag;
  if (tagsProtect(resource?.tags, config) || tagsProtect(factTags(incident), config) || resource?.protected === true) {
    return `${quoted(resource?.id || incident.resource || "the resource")} is protected (tag ${key}=${value})`;
  }
  return undefined;
}

/** Whether tags mark a resource as production (`productionTags`). */
export function tagsProduction(tags: Record<string, string> | undefined, config: RiposteConfig): boolean {
  return config.productionTags.keys.some((key) => tagMatches(tags, key, config.productionTags.values));
}

/** Production target: enrichment says so, or the facts' tags match `productionTags`. */
export function isProduction(incident: IncidentView, config: RiposteConfig, enrichment?: Enrichment): boolean {
  return enrichment?.resource?.production === true || tagsProduction(factTags(incident), config);
}
