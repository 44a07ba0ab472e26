import { createTokenChecker } from "../../core/api/auth.js";
import { normalizeOrigin } from "../../core/api/cors.js";
import { createApi } from "../../core/api/index.js";
import { type AuthThrottle, createAuthThrottle } from "../../core/api/throttle.js";
import type { ApiLimits, ApiOptions, ApiToken } from "../../core/api/types.js";
import type { Logger } from "../../core/log.js";
import type { HealthResponse } from "../../core/model/api.js";
import type { RemediationMode } from "../../core/model/incident.js";
import type { ChangeStream, IncidentStore } from "../../core/store/ports.js";
import { VERSION } from "../cli/version.js";
import { hostPolicy, isLoopbackAddress } from "./hosts.js";
import { type RunningServer, startHttpServer } from "./http.js";
import { attachLiveHub, type LiveHub } from "./live.js";
import { serveApi } from "./node-adapter.js";

export { resolveDashboardToken } from "../../core/api/auth.js";
export { hostPolicy } from "./hosts.js";
export type { LiveHub } from "./live.js";

export interface LocalServerOptions {
  /** Address to bind; 127.0.0.1 unless the operator says otherwise. */
  host?: string;
  port: number;
  store: Pick<IncidentStore, "getIncident" | "listIncidents" | "listAudit"> & ChangeStream;
  /** The dashboard token (see `resolveDashboardToken`), or several named ones. */
  token: string | ApiToken[];
  intake?: ApiOptions["intake"];
  /** The only tokens `POST /api/events` accepts (RIPOSTE_INTAKE_TOKEN); none: intake refused. */
  intakeTokens?: ApiOptions["intakeTokens"];
  decideApproval?: ApiOptions["decideApproval"];
  exceptions?: ApiOptions["exceptions"];
  executions?: ApiOptions["executions"];
  slack?: ApiOptions["slack"];
  /** `GET /api/health`; by default: ok, this version, the start time and `remediation`. */
  health?: ApiOptions["health"];
  remediation?: RemediationMode;
  /** The built dashboard (web/dist); absent means API only. */
  webRoot?: string;
  allowedOrigins?: string[];
  allowedHosts?: string[];
  limits?: Partial<ApiLimits>;
  heartbeatSeconds?: number;
  /** Wrong tokens per client address, for the API and the live socket alike; default 20 a minute. */
  throttle?: AuthThrottle;
  logger: Logger;
  now?: () => Date;
}

export interface LocalServer extends RunningServer {
  live: LiveHub;
  /** The dashboard address with the token in the fragment (never sent to the server, read once). */
  dashboardUrl(token: string): string;
}

/** Bound beyond loopback, the server is on the network as plain HTTP: say so once, loudly. */
function warnExposed(logger: Logger, url: string, allowedHosts: readonly string[]): void {
  logger.warn(
    "listening on a non-loopback address: the dashboard, its API, the live socket and /slack/interactions are reachable from the network over plain HTTP (no TLS: tokens and incidents cross it readable); the dashboard token is the only protection. Bind 127.0.0.1, or put a TLS proxy in front and set api.allowedHosts",
    {
      url,
      hostCheck: allowedHosts.length > 0 ? "api.allowedHosts" : "off (any Host header is answered)",
    },
  );
}

/**
 * `riposte serve`'s HTTP side: the dashboard API (`core/api`), the live WebSocket on `/ws`, the
 * Slack interactions endpoint and the built dashboard, with the host, origin and token checks.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const host = options.host ?? "127.0.0.1";
  const tokens: ApiToken[] =
    typeof options.token === "string" ? [{ token: options.token, principal: "dashboard" }] : options.token;
  if (!tokens.some((entry) => entry.token.length > 0)) throw new Error("startLocalServer needs a dashboard token");
  const startedAt = (options.now?.() ?? new Date()).toISOString();
  const defaultHealth = (): HealthResponse => ({
    status: "ok",
    version: VERSION,
    startedAt,
    remediation: options.remediation ?? "dry-run",
  });
  const throttle = options.throttle ?? createAuthThrottle();
  const api = createApi({
    store: options.store,
    tokens,
    throttle,
    health: options.health ?? defaultHealth,
    intake: options.intake,
    intakeTokens: options.intakeTokens,
    decideApproval: options.decideApproval,
    executions: options.executions,
    exceptions: options.exceptions,
    slack: options.slack,
    allowedOrigins: options.allowedOrigins,
    limits: options.limits,
    logger: options.logger,
    now: options.now,
  });
  const hostAllowed = hostPolicy(host, options.allowedHosts);
  const http = await startHttpServer({
    host,
    port: options.port,
    logger: options.logger,
    webRoot: options.webRoot,
    allowHost: hostAllowed,
    routes: [
      async (req, res, url) => {
        if (!url.pathname.startsWith("/api/") && !url.pathname.startsWith("/slack/")) return false;
        await serveApi(api, req, res, url, options.logger);
        return true;
      },
    ],
  });
  const live = attachLiveHub(http.server, {
    changes: options.store,
    checkToken: createTokenChecker(tokens),
    throttle,
    hostAllowed,
    allowedOrigins: new Set((options.allowedOrigins ?? []).flatMap((origin) => normalizeOrigin(origin) ?? [])),
    heartbeatMs: (options.heartbeatSeconds ?? 15) * 1000,
    logger: options.logger,
    now: options.now,
  });
  if (!isLoopbackAddress(host)) warnExposed(options.logger, http.url, options.allowedHosts ?? []);
  return {
    ...http,
    live,
    dashboardUrl: (token) => `${http.url}/#token=${encodeURIComponent(token)}`,
    async close() {
      live.close();
      await http.close();
    },
  };
}
