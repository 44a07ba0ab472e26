import { fromHttpApiEvent, type HttpApiEvent, type HttpApiResult, toHttpApiResult } from "../core/api/http-api.js";
import { type Api, type ApiOptions, createApi } from "../core/api/index.js";
import { awsApiOptions } from "./lib/api-options.js";

/**
 * The dashboard REST API on AWS: API Gateway HTTP API (payload v2) → `core/api`, the same routes
 * and answers as `riposte serve`. `resolveOptions` builds the AWS-backed dependencies (DynamoDB
 * store, Step Functions execution reader via `sfnExecutionReader`, the dashboard token secret,
 * intake and approval wiring) once per container; a failed build is retried on the next call.
 */
export function createApiHandler(resolveOptions: () => ApiOptions | Promise<ApiOptions>) {
  let api: Promise<Api> | undefined;
  return async (event: HttpApiEvent): Promise<HttpApiResult> => {
    api ??= Promise.resolve()
      .then(resolveOptions)
      .then(createApi)
      .catch((error: unknown) => {
        api = undefined;
        throw error;
      });
    return toHttpApiResult(await (await api).handle(fromHttpApiEvent(event)));
  };
}

/** The Lambda entry point on AWS (HTTP API routes `/api/*`). */
export const handler = createApiHandler(awsApiOptions);
