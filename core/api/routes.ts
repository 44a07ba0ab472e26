import { z } from "zod";
import type { EventsAcceptedResponse, IncidentDetailResponse } from "../model/api.js";
import type { IncidentSummary } from "../model/incident.js";
import { MAX_PAGE_SIZE } from "../store/limits.js";
import type { IncidentQuery } from "../store/ports.js";
import { auditCsv, auditExport } from "./audit-trail.js";
import { bodyText, jsonBody } from "./body.js";
import { publicHealth } from "./health.js";
import { HttpError } from "./http-error.js";
import { parseIncidentQuery } from "./query.js";
import { API_HEADERS, json, text } from "./respond.js";
import { type Bucket, computeStats } from "./stats.js";
import type { ApiLimits, ApiOptions, ApiRequest, ApiResponse } from "./types.js";

/** What a route handler gets: the request, path parameters and the authenticated caller. */
export interface RouteContext {
  request: ApiRequest;
  params: string[];
  principal: string;
  /** A valid bearer token came with the request (on routes that do not require one, too). */
  authenticated: boolean;
  options: ApiOptions;
  limits: ApiLimits;
  now: () => Date;
}

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  /** Bearer token required (everything but health and Slack's signed callbacks). */
  auth: boolean;
  /** `intake`: only an intake token (`ApiOptions.intakeTokens`) will do, never a dashboard one. */
  credential?: "intake";
  /** Which body limit applies. */
  limit: keyof ApiLimits;
  handle(context: RouteContext): Promise<ApiResponse>;
}

/** Stats read at most this many incidents (newest first). */
const MAX_STATS_INCIDENTS = 250_000;
/** Per-record intake errors returned at most (the `rejected` count stays exact). */
const MAX_INTAKE_ERRORS = 1000;

const ApprovalBodySchema = z
  .object({
    decision: z.enum(["approve", "reject"]),
    comment: z.string().max(1000, "at most 1000 characters").optional(),
  })
  .strict();

async function loadIncident(context: RouteContext) {
  const id = context.params[0]!;
  const incident = await context.options.store.getIncident(id);
  if (!incident) throw new HttpError(404, `incident ${id} does not exist`);
  return incident;
}

async function incidentDetail(context: RouteContext): Promise<ApiResponse> {
  const incident = await loadIncident(context);
  const entries = await context.options.store.listAudit(incident.id);
  const response: IncidentDetailResponse = {
    incident,
    audit: entries.map(({ incidentId: _id, ...entry }) => entry),
  };
  if (incident.executionArn && context.options.executions) {
    try {
      const execution = await context.options.executions.describe(incident.executionArn);
      if (execution) response.execution = execution;
    } catch (error) {
      // The page still shows the incident; the history is what is missing.
      context.options.logger.warn("execution history unavailable", { incidentId: incident.id, error });
    }
  }
  return json(200, response);
}

async function auditTrailExport(context: RouteContext): Promise<ApiResponse> {
  const format = context.request.query.get("format") ?? "json";
  if (format !== "json" && format !== "csv") {
    throw new HttpError(400, "invalid query", ["format: expected json or csv"]);
  }
  const incident = await loadIncident(context);
  const exported = auditExport(incident, await context.options.store.listAudit(incident.id), context.now());
  const filename = `riposte-audit-${incident.id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 100)}.${format}`;
  const disposition = { "content-disposition": `attachment; filename="${filename}"` };
  return format === "csv"
    ? text(200, auditCsv(exported), "text/csv; charset=utf-8", disposition)
    : json(200, exported, disposition);
}

async function stats(context: RouteContext): Promise<ApiResponse> {
  const bucket = context.request.query.get("bucket") ?? undefined;
  if (bucket !== undefined && bucket !== "hour" && bucket !== "day") {
    throw new HttpError(400, "invalid query", ["bucket: expected hour or day"]);
  }
  const { limit: _limit, cursor: _cursor, ...filters } = parseIncidentQuery(context.request.query);
  const incidents: IncidentSummary[] = [];
  let cursor: string | undefined;
  do {
    const query: IncidentQuery = { ...filters, limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
    const page = await context.options.store.listIncidents(query);
    incidents.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && incidents.length < MAX_STATS_INCIDENTS);
  return json(200, computeStats(incidents, { bucket: bucket as Bucket | undefined }));
}

async function intakeEvents(context: RouteContext): Promise<ApiResponse> {
  const intake = context.options.intake;
  if (!intake) throw new HttpError(503, "event intake is not available on this server");
  const body = jsonBody(context.request, context.limits.maxEventsBodyBytes);
  if (typeof body !== "object" || body === null) {
    throw new HttpError(
      400,
      'expected an event, an array of events, a CloudTrail {"Records": [...]} body or an EventBridge envelope',
    );
  }
  const result = await intake(body);
  const response: EventsAcceptedResponse = { ...result, errors: result.errors.slice(0, MAX_INTAKE_ERRORS) };
  if (result.accepted === 0 && result.rejected > 0) {
    return json(400, { error: "no event in the body was accepted", ...response });
  }
  return json(202, response);
}

async function approve(context: RouteContext): Promise<ApiResponse> {
  const decide = context.options.decideApproval;
  if (!decide) throw new HttpError(503, "approvals are not available on this server");
  const parsed = ApprovalBodySchema.safeParse(jsonBody(context.request, context.limits.maxBodyBytes));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`);
    throw new HttpError(400, "invalid approval", issues);
  }
  const response = await decide({
    incidentId: context.params[0]!,
    decision: parsed.data.decision,
    approver: context.principal,
    ...(parsed.data.comment ? { comment: parsed.data.comment } : {}),
    via: "dashboard",
  });
  return json(200, response);
}

function exceptionsApi(context: RouteContext) {
  const exceptions = context.options.exceptions;
  if (!exceptions) throw new HttpError(503, "exceptions are not available on this server");
  return exceptions;
}

async function listExceptions(context: RouteContext): Promise<ApiResponse> {
  const active = context.request.query.get("active");
  if (active !== null && active !== "true" && active !== "false") {
    throw new HttpError(400, "invalid query", ["active: expected true or false"]);
  }
  const filter = active === "true" ? { activeAt: context.now().toISOString() } : {};
  return json(200, { items: await exceptionsApi(context).list(filter) });
}

async function createException(context: RouteContext): Promise<ApiResponse> {
  const exceptions = exceptionsApi(context);
  const body = jsonBody(context.request, context.limits.maxBodyBytes);
  const { exception, created } = await exceptions.create(body, context.principal);
  return json(created ? 201 : 200, exception);
}

async function slackInteraction(context: RouteContext): Promise<ApiResponse> {
  const slack = context.options.slack;
  if (!slack) throw new HttpError(404, "not found");
  const body = bodyText(context.request, context.limits.maxBodyBytes);
  const answer = await slack({ headers: context.request.headers, body });
  return {
    status: answer.status,
    headers: { "content-type": "application/json; charset=utf-8", ...API_HEADERS, ...answer.headers },
    body: answer.body,
  };
}

const ID = "([^/]+)";

/** Every route, tried in order. */
export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/health$/,
    auth: false,
    limit: "maxBodyBytes",
    handle: async ({ options, authenticated }) => {
      const health = await options.health();
      return json(200, authenticated ? health : publicHealth(health));
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/incidents$/,
    auth: true,
    limit: "maxBodyBytes",
    handle: async ({ options, request }) =>
      json(200, await options.store.listIncidents(parseIncidentQuery(request.query))),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/incidents/${ID}$`),
    auth: true,
    limit: "maxBodyBytes",
    handle: incidentDetail,
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/incidents/${ID}/audit$`),
    auth: true,
    limit: "maxBodyBytes",
    handle: auditTrailExport,
  },
  {
    method: "POST",
    pattern: new RegExp(`^/api/incidents/${ID}/approval$`),
    auth: true,
    limit: "maxBodyBytes",
    handle: approve,
  },
  { method: "GET", pattern: /^\/api\/stats$/, auth: true, limit: "maxBodyBytes", handle: stats },
  { method: "GET", pattern: /^\/api\/exceptions$/, auth: true, limit: "maxBodyBytes", handle: listExceptions },
  { method: "POST", pattern: /^\/api\/exceptions$/, auth: true, limit: "maxBodyBytes", handle: createException },
  {
    method: "POST",
    pattern: /^\/api\/events$/,
    auth: true,
    credential: "intake",
    limit: "maxEventsBodyBytes",
    handle: intakeEvents,
  },
  { method: "POST", pattern: /^\/slack\/interactions$/, auth: false, limit: "maxBodyBytes", handle: slackInteraction },
];
