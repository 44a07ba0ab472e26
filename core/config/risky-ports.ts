import type { RiposteConfig } from "./schema.js";

// Apart from the schema, so the detections' code that reads it (a scan's reader threads) does not
// load the validation library.

/** All risky ports: the built-in list plus the configured extras. */
export function riskyPorts(config: RiposteConfig): number[] {
  return [...new Set([...config.network.riskyPorts, ...config.network.extraRiskyPorts])];
}
