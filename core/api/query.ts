import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "../model/catalog.js";
import { INCIDENT_STATUSES } from "../model/status.js";
import { MAX_PAGE_SIZE } from "../store/limits.js";
import type { IncidentQuery } from "../store/ports.js";
import { HttpError } from "./http-error.js";

/**
 * Query parameters of the incident list (and stats): lists are comma-separated or repeated, times
 * are any date `Date` parses (normalized to ISO 8601 UTC). A bad value is a 400 naming it.
 */

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .array(z.string())
    .transform((raw) =>
      raw
        .flatMap((value) => value.split(","))
        .map((value) => value.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: () => `expected one of ${values.join(", ")}` })))
    .optional();

const time = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) {
      ctx.addIssue({ code: "custom", message: "expected an ISO 8601 date or time" });
      return z.NEVER;
    }
    return new Date(parsed).toISOString();
  })
  .optional();

const text = (max: number) => z.string().max(max, `at most ${max} characters`).optional();

const ListParamsSchema = z.object({
  status: list(INCIDENT_STATUSES),
  category: list(CATEGORIES),
  severity: list(SEVERITIES),
  since: time,
  until: time,
  q: text(200),
  resource: text(2048),
  principal: text(2048),
  cursor: text(1024),
  limit: z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE_SIZE))
    .optional(),
});

const REPEATABLE = new Set(["status", "category", "severity"]);

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new HttpError(400, "invalid query", [`${name}: given more than once`]);
  return values[0];
}

/** Validate list parameters into an `IncidentQuery`. */
export function parseIncidentQuery(params: URLSearchParams): IncidentQuery {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ListParamsSchema.shape)) {
    if (REPEATABLE.has(key)) {
      const values = params.getAll(key);
      if (values.length) raw[key] = values;
    } else {
      const value = single(params, key);
      if (value !== undefined) raw[key] = value;
    }
  }
  const parsed = ListParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new HttpError(400, "invalid query", issues);
  }
  const { q, ...rest } = parsed.data;
  const query: IncidentQuery = { ...rest, ...(q ? { text: q } : {}) };
  for (const key of Object.keys(query) as (keyof IncidentQuery)[]) if (query[key] === undefined) delete query[key];
  if (query.since && query.until && query.since > query.until) {
    throw new HttpError(400, "invalid query", ["since: must not be after until"]);
  }
  return query;
}
