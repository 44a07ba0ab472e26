import { updateItem } from "../../correlation/store.js";
import { ALB_SOURCE, WAF_SOURCE } from "../../events/web-logs.js";
import type { SecurityEvent } from "../../model/event.js";
import type { LoggingFacts } from "../../model/facts.js";
import { eventIdOf } from "../draft.js";
import { at, type Json, list, quote, str } from "../record.js";
import type { FindingDraft, StatefulDetection } from "../types.js";

/**
 * Web scanning in WAF and ALB logs: a known scanner's user agent, or a burst of requests from one
 * client that are mostly client errors. For WAF records the status is `responseCodeSent`, or 403
 * for a BLOCK (WAF's default response); allowed requests count as successes, since WAF does not
 * log the origin's answer.
 */

interface Request {
  clientIp: string;
  status: number | undefined;
  userAgent: string;
  uri: string;
}

function requestOf(event: SecurityEvent): Request | undefined {
  const detail = event.envelope.detail as Json;
  if (event.envelope.source === ALB_SOURCE) {
    const status = detail.elb_status_code;
    return {
      clientIp: str(detail.client_ip),
      status: typeof status === "number" ? status : undefined,
      userAgent: str(detail.user_agent),
      uri: str(detail.request_url),
    };
  }
  if (event.envelope.source === WAF_SOURCE) {
    const headers = list(at(detail, "httpRequest", "headers"));
    const agent = headers.find((header) => str(at(header, "name")).toLowerCase() === "user-agent");
    const sent = detail.responseCodeSent;
    const status = typeof sent === "number" ? sent : str(detail.action) === "BLOCK" ? 403 : 200;
    return {
      clientIp: str(at(detail, "httpRequest", "clientIp")),
      status,
      userAgent: str(at(agent, "value")),
      uri: str(at(detail, "httpRequest", "uri")),
    };
  }
  return undefined;
}

interface Window {
  /** Per-second buckets: second → [requests, client errors]. */
  buckets: Record<string, [number, number]>;
  firstEventId: string;
  firedAt?: number;
}

function scannerName(userAgent: string, scanners: readonly string[]): string | undefined {
  const agent = userAgent.toLowerCase();
  return scanners.find((scanner) => agent.includes(scanner.toLowerCase()));
}

function draftFor(
  event: SecurityEvent,
  request: Request,
  eventIds: string[],
  summary: string,
  facts: LoggingFacts,
): FindingDraft {
  return {
    time: event.time,
    eventIds,
    account: event.envelope.account,
    region: event.envelope.region,
    principal: "",
    resource: request.clientIp,
    summary,
    sourceIp: request.clientIp,
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
    facts,
    evidence: [event.raw],
  };
}

export const webScanning: StatefulDetection = {
  id: "web-scanning",
  title: "Web vulnerability scanning",
  category: "logging",
  severity: "medium",
  attack: { id: "T1595.002", name: "Active Scanning: Vulnerability Scanning" },
  stateful: true,
  loopPrevention: "not-applicable",
  description:
    "In WAF or ALB logs: a request whose user agent names a known scanner (`thresholds.webScanning.scannerUserAgents`), or at least `requests` (100) requests from one client IP within `windowSeconds` (60) of which at least `errorRatio` (50 %) got a 4xx answer.",
  why: "Scanners map the application before an attack; blocking the source early costs nothing and removes noise from everything else.",
  tuning:
    "Allow-list your own scanners by source address in the WAF, or add their ranges to `trustedCidrs`. One finding per client per window.",
  response: { mode: "auto", action: "waf-block-ip" },
  buildPattern: () => ({ source: [WAF_SOURCE, ALB_SOURCE] }),
  async correlate(event, context) {
    const request = requestOf(event);
    // Trusted clients (your own scanners, health checks) neither fire nor count towards a burst.
    if (!request?.clientIp || context.isTrusted(request.clientIp)) return [];
    const settings = context.config.thresholds.webScanning;
    const window = settings.windowSeconds * 1000;
    const findings: FindingDraft[] = [];
    const scanner = scannerName(request.userAgent, settings.scannerUserAgents);
    if (scanner) {
      const fresh = await context.state.addToSet(`scanner-seen|${request.clientIp}`, [scanner], {
        now: context.now,
        expiresAt: context.now + Math.max(window, 3_600_000),
      });
      if (fresh.added.length > 0) {
        findings.push(
          draftFor(
            event,
            request,
            [eventIdOf(event.envelope)],
            `${quote(request.clientIp, 45)} is scanning with ${scanner} (user agent ${quote(request.userAgent, 100)})`,
            {
              clientIp: request.clientIp,
              userAgent: request.userAgent,
              scanner,
            } as LoggingFacts,
          ),
        );
      }
    }
    const error = request.status !== undefined && request.status >= 400 && request.status < 500;
    const second = Math.floor(event.epochMs / 1000);
    let burst: { requests: number; errors: number; first: string } | undefined;
    await updateItem<Window>(context.state, `web|${request.clientIp}`, context.now, context.now + window, (current) => {
      const state: Window = current ?? { buckets: {}, firstEventId: eventIdOf(event.envelope) };
      let requests = 0;
      let errors = 0;
      for (const [bucket, counts] of Object.entries(state.buckets)) {
        if (Number(bucket) * 1000 <= context.now - window) delete state.buckets[bucket];
        else {
          requests += counts[0];
          errors += counts[1];
        }
      }
      if (requests === 0) state.firstEventId = eventIdOf(event.envelope);
      const bucket = state.buckets[second] ?? [0, 0];
      bucket[0]++;
      if (error) bucket[1]++;
      state.buckets[second] = bucket;
      requests++;
      if (error) errors++;
      const cooling = state.firedAt !== undefined && state.firedAt > context.now - window;
      if (!cooling && requests >= settings.requests && errors / requests >= settings.errorRatio) {
        burst = { requests, errors, first: state.firstEventId };
        state.firedAt = context.now;
      }
      return state;
    });
    if (burst) {
      const ratio = burst.errors / burst.requests;
      findings.push(
        draftFor(
          event,
          request,
          [...new Set([burst.first, eventIdOf(event.envelope)])],
          `${quote(request.clientIp, 45)} made ${burst.requests} requests in ${settings.windowSeconds} s, ${Math.round(ratio * 100)} % of them client errors`,
          {
            clientIp: request.clientIp,
            requests: burst.requests,
            errorRatio: Math.round(ratio * 1000) / 1000,
            userAgent: request.userAgent,
          },
        ),
      );
    }
    return findings;
  },
};
