import type { HealthResponse } from "../model/api.js";

/**
 * `/api/health` answers without a token (load balancers, uptime checks), so what it shows then is
 * only the status and numbers: source names carry paths and queue names, and error text carries
 * addresses and internals. A caller with a valid token gets the whole answer.
 */
export function publicHealth(health: HealthResponse): HealthResponse {
  const { status, version, startedAt, remediation, counts } = health;
  return { status, version, startedAt, remediation, ...(counts ? { counts: { ...counts } } : {}) };
}
