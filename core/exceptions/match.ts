import { type ExceptionRecord, type ExceptionScope, exceptionHoldsAt, type Suppression } from "../model/exception.js";
import type { Finding } from "../model/incident.js";
import { cidrContains, parseCidr, parseIp } from "../net/ip.js";

/**
 * Which exception, if any, covers a finding: the same detection, the scope matches, and the
 * exception still holds at the finding's time. Matching is exact (no wildcards): an exception is
 * a narrow, deliberate hole, and every finding it covers is still recorded.
 */

type Matchable = Pick<Finding, "detection" | "time" | "principal" | "resource" | "sourceIp" | "facts">;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The name at the end of an ARN or path (`…:user/ops/alice` → `alice`, `arn:aws:s3:::b` → `b`). */
function lastSegment(value: string): string {
  return value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf(":")) + 1);
}

function principalMatches(value: string, finding: Matchable): boolean {
  if (finding.principal !== "" && finding.principal === value) return true;
  // A name given instead of an ARN: the actor's user or role name, as the facts report it.
  if (value.includes(":")) return false;
  return text(finding.facts.userName) === value || text(finding.facts.roleName) === value;
}

function resourceMatches(value: string, finding: Matchable): boolean {
  if (finding.resource === "") return false;
  if (finding.resource === value) return true;
  // An ARN given for a resource the finding names by id (a group id, a bucket name).
  return value.startsWith("arn:") && lastSegment(value) === finding.resource;
}

function cidrMatches(value: string, finding: Matchable): boolean {
  const cidr = parseCidr(value);
  const ip = finding.sourceIp ? parseIp(finding.sourceIp) : undefined;
  return cidr !== undefined && ip !== undefined && cidrContains(cidr, ip);
}

/** Tags the finding itself carries (`facts.tags`); resource tags looked up later are not consulted. */
function tagMatches(key: string, value: string, finding: Matchable): boolean {
  const tags = finding.facts.tags;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return false;
  return Object.hasOwn(tags, key) && (tags as Record<string, unknown>)[key] === value;
}

export function scopeMatches(scope: ExceptionScope, finding: Matchable): boolean {
  switch (scope.kind) {
    case "principal":
      return principalMatches(scope.value, finding);
    case "resource":
      return resourceMatches(scope.value, finding);
    case "cidr":
      return cidrMatches(scope.value, finding);
    case "tag":
      return tagMatches(scope.key, scope.value, finding);
  }
}

/** The exception covering `finding` (the one that holds longest when several do), or undefined. */
export function coveringException(
  finding: Matchable,
  exceptions: readonly ExceptionRecord[],
): ExceptionRecord | undefined {
  return exceptions
    .filter((exception) => exception.detection === finding.detection)
    .filter((exception) => exceptionHoldsAt(exception, finding.time))
    .filter((exception) => scopeMatches(exception.scope, finding))
    .sort((a, b) => (a.expiresAt === b.expiresAt ? (a.id < b.id ? -1 : 1) : a.expiresAt < b.expiresAt ? 1 : -1))[0];
}

/** What the suppressed incident records of its exception. */
export function suppressionOf(exception: ExceptionRecord): Suppression {
  return {
    exceptionId: exception.id,
    owner: exception.owner,
    reason: exception.reason,
    expiresAt: exception.expiresAt,
    scope: exception.scope,
  };
}
