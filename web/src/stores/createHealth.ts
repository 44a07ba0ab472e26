import { createSignal, onCleanup } from "solid-js";
import type { HealthResponse } from "../../../core/model/api.js";
import type { ApiClient } from "../lib/api.js";

/** The server's health and remediation mode, polled so a restart into `live` mode shows at once. */

export interface HealthStore {
  health: () => HealthResponse | undefined;
  /** Why the last check failed, if it did. */
  error: () => string | undefined;
  refresh(): Promise<void>;
}

export function createHealth(options: { api: ApiClient; intervalMs?: number }): HealthStore {
  const [health, setHealth] = createSignal<HealthResponse>();
  const [error, setError] = createSignal<string>();
  async function refresh() {
    try {
      setHealth(await options.api.health());
      setError(undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }
  void refresh();
  const timer = setInterval(() => void refresh(), options.intervalMs ?? 30_000);
  onCleanup(() => clearInterval(timer));
  return { health, error, refresh };
}
