// Apart from the schema (which re-exports it), so the detections' code that reads it (a scan's
// reader threads) does not load the validation library.

/** All risky ports: the built-in list plus the configured extras. */
export function riskyPorts(config: { network: { riskyPorts: number[]; extraRiskyPorts: number[] } }): number[] {
  return [...new Set([...config.network.riskyPorts, ...config.network.extraRiskyPorts])];
}
