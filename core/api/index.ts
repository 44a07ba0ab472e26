import { bearerToken, createTokenChecker } from "./auth.js";
import { checkCors, normalizeOrigin } from "./cors.js";
import { HttpError, httpErrorOf } from "./http-error.js";
import { API_HEADERS, json } from "./respond.js";
import { ROUTES, type Route } from "./routes.js";
import { type ApiLimits, type ApiOptions, type ApiRequest, type ApiResponse, DEFAULT_LIMITS } from "./types.js";

export { bearerToken, createTokenChecker, generateToken, MIN_TOKEN_LENGTH, resolveDashboardToken } from "./auth.js";
export { storeExecutionReader } from "./executions.js";
export { heartbeatMessage, toLiveMessage } from "./live.js";
export { sfnExecutionReader } from "./sfn-executions.js";
export { type AuthThrottle, clientKey, createAuthThrottle } from "./throttle.js";
export * from "./types.js";

/**
 * The dashboard REST API (routes in `core/model/api.ts`), independent of any HTTP framework: the
 * local server and the AWS api function adapt their requests to `ApiRequest` and back.
 */
export interface Api {
  handle(request: ApiRequest): Promise<ApiResponse>;
  /** The body limit of the route a request line targets, so adapters stop reading early. */
  bodyLimit(method: string, path: string): number;
}

function match(method: string, path: string): { route?: Route; params: string[]; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    allowed.push(route.method);
    if (route.method === method || (method === "HEAD" && route.method === "GET")) {
      return { route, params: found.slice(1), allowed };
    }
  }
  return { params: [], allowed };
}

function decodeParams(params: string[]): string[] {
  return params.map((param) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(param);
    } catch {
      throw new HttpError(400, "the path is not valid percent-encoding");
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (decoded.length === 0 || decoded.length > 256 || /[\u0000-\u001f\u007f]/.test(decoded)) {
      throw new HttpError(400, "the id in the path is invalid");
    }
    return decoded;
  });
}

const INTAKE_NOT_CONFIGURED =
  "event intake is switched off: it needs its own token (RIPOSTE_INTAKE_TOKEN for riposte serve, the IntakeToken secret on AWS); dashboard tokens do not authorize it";

/** Build the API over its injected dependencies. */
export function createApi(options: ApiOptions): Api {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const checkToken = createTokenChecker(options.tokens);
  // Intake drives remediation of real resources: it has its own credential, never a dashboard token.
  const intakeTokens = (options.intakeTokens ?? []).filter((entry) => entry.token.length > 0);
  const checkIntakeToken = createTokenChecker(intakeTokens);
  const allowedOrigins = new Set((options.allowedOrigins ?? []).flatMap((origin) => normalizeOrigin(origin) ?? []));
  const now = options.now ?? (() => new Date());

  /** The principal of the request's bearer token; a wrong one counts against the client's address. */
  function authenticate(request: ApiRequest, check: (presented: string | undefined) => string | undefined): string {
    const { throttle } = options;
    const { client } = request;
    const wait = throttle && client !== undefined ? throttle.retryAfter(client) : undefined;
    if (wait !== undefined) {
      throw new HttpError(429, "too many wrong tokens from this address; retry later", undefined, {
        "retry-after": String(wait),
      });
    }
    const presented = bearerToken(request.headers.authorization);
    const known = check(presented);
    if (known) return known;
    if (presented && throttle && client !== undefined) throttle.failed(client);
    const problem = presented ? "invalid bearer token" : "missing bearer token";
    throw new HttpError(401, problem, undefined, { "www-authenticate": 'Bearer realm="riposte"' });
  }

  /** The principal of a token given where none is required; undefined when absent, wrong or throttled. */
  function optionalPrincipal(request: ApiRequest): string | undefined {
    if (!bearerToken(request.headers.authorization)) return undefined;
    try {
      return authenticate(request, checkToken);
    } catch (error) {
      if (error instanceof HttpError) return undefined;
      throw error;
    }
  }

  async function handle(request: ApiRequest): Promise<ApiResponse> {
    let corsHeaders: Record<string, string> = {};
    try {
      const cors = checkCors(request, allowedOrigins);
      corsHeaders = cors.headers;
      if (cors.preflight) {
        return { status: cors.preflight.status, headers: { ...API_HEADERS, ...cors.preflight.headers }, body: "" };
      }
      const method = request.method.toUpperCase();
      const { route, params, allowed } = match(method, request.path);
      if (!route) {
        if (allowed.length) throw new HttpError(405, "method not allowed", undefined, { allow: allowed.join(", ") });
        throw new HttpError(404, "not found");
      }
      // Routes without `auth` still read a token (health shows its holder more), so a wrong one
      // counts against the address there too: no route is a free oracle for guessing tokens.
      let principal: string | undefined;
      if (route.credential === "intake") {
        if (intakeTokens.length === 0) throw new HttpError(503, INTAKE_NOT_CONFIGURED);
        principal = authenticate(request, checkIntakeToken);
      } else {
        principal = route.auth ? authenticate(request, checkToken) : optionalPrincipal(request);
      }
      const response = await route.handle({
        request,
        params: decodeParams(params),
        principal: principal ?? "anonymous",
        authenticated: principal !== undefined,
        options,
        limits,
        now,
      });
      const answer = { ...response, headers: { ...response.headers, ...corsHeaders } };
      return method === "HEAD" ? { ...answer, body: "" } : answer;
    } catch (error) {
      const known = httpErrorOf(error);
      if (known) return json(known.status, known.body, { ...known.headers, ...corsHeaders });
      options.logger.error("api request failed", { method: request.method, path: request.path, error });
      return json(500, { error: "internal error" }, corsHeaders);
    }
  }

  return {
    handle,
    bodyLimit(method, path) {
      const { route } = match(method.toUpperCase(), path);
      return limits[route?.limit ?? "maxBodyBytes"];
    },
  };
}
