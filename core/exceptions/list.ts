import type { RiposteConfig } from "../config/schema.js";
import type { ExceptionRecord } from "../model/exception.js";
import type { ExceptionStore } from "../store/ports.js";
import { listedExceptions } from "../store/writes.js";
import { declaredExceptions } from "./declared.js";

/**
 * Every exception, stored (Slack, dashboard) and declared in the configuration, the latest expiry
 * first; a declared one the store already holds (its expiry was announced) is listed once, as stored.
 */
export async function listAllExceptions(
  store: Pick<ExceptionStore, "listExceptions">,
  config: RiposteConfig,
  filter: { activeAt?: string } = {},
): Promise<ExceptionRecord[]> {
  const stored = await store.listExceptions(filter);
  const ids = new Set(stored.map((exception) => exception.id));
  const declared = declaredExceptions(config).filter((exception) => !ids.has(exception.id));
  return listedExceptions([...stored, ...declared], filter);
}
