import type { RiposteConfig } from "../config/schema.js";
import type { Priority } from "../model/incident.js";

/** P1–P4 from a 0–100 score and the configured lower bounds of P1, P2 and P3. */
export function priorityFor(value: number, bounds: RiposteConfig["scoring"]["priorities"]): Priority {
  if (value >= bounds.P1) return "P1";
  if (value >= bounds.P2) return "P2";
  if (value >= bounds.P3) return "P3";
  return "P4";
}
