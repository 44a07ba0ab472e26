import type { ExceptionsApi } from "../api/types.js";
import type { TaskDeps } from "../task-deps.js";
import { createException, type ExceptionRequest } from "./create.js";
import { listAllExceptions } from "./list.js";

/** The dashboard's exceptions (`GET`/`POST /api/exceptions`): created as the token's holder, via the dashboard. */
export function exceptionsApi(deps: TaskDeps): ExceptionsApi {
  return {
    list: (filter) => listAllExceptions(deps.store, deps.config, filter),
    // createException validates the body against ExceptionRequestSchema before anything else.
    create: (request, approver) => createException(request as ExceptionRequest, { approver, via: "dashboard" }, deps),
  };
}
