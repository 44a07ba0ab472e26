import type { PolicyStatement } from "./resource-policy.js";

/**
 * Reading IAM identity policies and role trust policies: IAM's action wildcards and the one
 * judgement of "grants everything" that the iam-admin-policy-attached detection fires on and the
 * iam-detach-admin-policy action removes and verifies.
 */

/** The strings of a policy element that may be one string or a list (other entries ignored). */
export function strings(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return values.filter((entry): entry is string => typeof entry === "string");
}

/**
 * IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM matches action
 * names. A two-pointer match, not a regular expression: patterns are attacker text, and a run of
 * `*` must not cost exponential backtracking.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  let pi = 0;
  let ai = 0;
  let star = -1;
  let resume = 0;
  while (ai < a.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === a[ai])) {
      pi++;
      ai++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = ai;
    } else if (star >= 0) {
      pi = star + 1;
      ai = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/**
 * Whether an identity-policy statement allows every action on every resource: Effect Allow,
 * Action `*` or `*:*` (alone or in a list) and Resource `*` (alone or in a list). A NotAction
 * statement grants "all but", which is broad but not this check.
 */
export function grantsEverything(statement: PolicyStatement): boolean {
  if (statement.Effect !== "Allow") return false;
  const everyAction = strings(statement.Action).some((action) => action === "*" || action === "*:*");
  return everyAction && strings(statement.Resource).includes("*");
}
