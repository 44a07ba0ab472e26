/**
 * S3 CORS rules, in the SDK's shape. A rule is permissive when it allows every origin (`*`, or a
 * scheme with a bare `*` host). CloudTrail records CORS with singular keys (`CORSRule`,
 * `AllowedOrigin`); `normaliseCors` accepts both shapes.
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

function normaliseRule(value: unknown): CorsRule | undefined {
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

/**
 * CORS rules from facts or an API answer: `{ CORSRules: [...] }`, `{ CORSConfiguration: { CORSRule } }`,
 * `{ CORSRule: [...] }` or a bare list. Undefined when nothing rule-shaped is there.
 */
export function normaliseCors(value: unknown): CorsRule[] | undefined {
  if (value === undefined || value === null) return undefined;
  let list: unknown = value;
  if (typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const config = (v.CORSConfiguration ?? v) as Record<string, unknown>;
    list = config.CORSRules ?? config.CORSRule;
  }
  const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
  const rules = items.map(normaliseRule);
  if (rules.length === 0 || rules.some((rule) => rule === undefined)) return undefined;
  return rules as CorsRule[];
}

export function isPermissiveOrigin(origin: string): boolean {
  return /^(\*|https?:\/\/\*)$/i.test(origin.trim());
}

export function isPermissiveRule(rule: CorsRule): boolean {
  return rule.AllowedOrigins.some(isPermissiveOrigin);
}
