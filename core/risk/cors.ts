/**
 * S3 CORS exposure. A rule is permissive when an AllowedOrigin lets every origin in: `*`, or a
 * scheme with a bare `*` host (`https://*`). S3 allows one `*` in an origin, so
 * `https://*.example.com` stays within one domain and is not permissive (S3 "CORS
 * configuration": AllowedOrigin). Matching ignores case and surrounding space, so an odd spelling
 * is never read as safe. CloudTrail records CORS with singular keys (`CORSRule`,
 * `AllowedOrigin`), the SDK with plural ones; both are read.
 */

export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  return undefined;
}

function normalizeRule(value: unknown): CorsRule | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const origins = strings(r.AllowedOrigins ?? r.AllowedOrigin);
  const methods = strings(r.AllowedMethods ?? r.AllowedMethod);
  if (!origins || !methods) return undefined;
  const rule: CorsRule = { AllowedOrigins: origins, AllowedMethods: methods };
  const id = r.ID ?? r.Id;
  if (typeof id === "string") rule.ID = id;
  const headers = strings(r.AllowedHeaders ?? r.AllowedHeader);
  if (headers) rule.AllowedHeaders = headers;
  const expose = strings(r.ExposeHeaders ?? r.ExposeHeader);
  if (expose) rule.ExposeHeaders = expose;
  const maxAge = Number(r.MaxAgeSeconds);
  if (r.MaxAgeSeconds !== undefined && Number.isInteger(maxAge)) rule.MaxAgeSeconds = maxAge;
  return rule;
}

/** The raw rule list of `{ CORSRules }`, `{ CORSConfiguration: { CORSRule } }`, `{ CORSRule }` or a bare list. */
export function rawCorsRules(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  let list: unknown = value;
  if (typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const config = (v.CORSConfiguration ?? v) as Record<string, unknown>;
    list = config.CORSRules ?? config.CORSRule;
  }
  return Array.isArray(list) ? list : list === undefined ? [] : [list];
}

/** CORS rules from facts or an API answer, in the SDK's shape; undefined when any rule is malformed or none is there. */
export function normalizeCors(value: unknown): CorsRule[] | undefined {
  const rules = rawCorsRules(value).map(normalizeRule);
  if (rules.length === 0 || rules.some((rule) => rule === undefined)) return undefined;
  return rules as CorsRule[];
}

export function isPermissiveOrigin(origin: string): boolean {
  return /^(\*|https?:\/\/\*)$/i.test(origin.trim());
}

/** Whether a rule, in either key shape, allows any origin. */
export function allowsAnyOrigin(rule: unknown): boolean {
  if (typeof rule !== "object" || rule === null) return false;
  const r = rule as Record<string, unknown>;
  const origins = r.AllowedOrigins ?? r.AllowedOrigin;
  const list = Array.isArray(origins) ? origins : [origins];
  return list.some((origin) => typeof origin === "string" && isPermissiveOrigin(origin));
}

export function isPermissiveRule(rule: CorsRule): boolean {
  return allowsAnyOrigin(rule);
}
