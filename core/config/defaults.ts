import { DEFAULT_CONFIG } from "./defaults.generated.js";
import type { RiposteConfig } from "./schema.js";

/**
 * The configuration with every setting at its default — what `loadConfig()` and `parseConfig({})`
 * give — without loading the schema's validator: a fresh copy each call (callers may change it).
 */
export function defaultConfig(): RiposteConfig {
  return structuredClone(DEFAULT_CONFIG);
}
