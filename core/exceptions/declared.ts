import type { DeclaredException, RiposteConfig } from "../config/schema.js";
import type { ExceptionRecord, ExceptionScope } from "../model/exception.js";

/** The id a declared exception has in the store and in listings (`cfg-` keeps it apart from created ones). */
export const declaredExceptionId = (id: string) => `cfg-${id}`;

function scopeOf(entry: DeclaredException): ExceptionScope {
  if (entry.principal !== undefined) return { kind: "principal", value: entry.principal };
  if (entry.resource !== undefined) return { kind: "resource", value: entry.resource };
  if (entry.cidr !== undefined) return { kind: "cidr", value: entry.cidr };
  // The schema requires exactly one scope.
  const tag = entry.tag as { key: string; value: string };
  return { kind: "tag", key: tag.key, value: tag.value };
}

/**
 * The exceptions the configuration declares, as records. They are read from the configuration
 * where they are needed (matching, listings, the expiry notice), never copied at start, so editing
 * the file is the one way to change them. `createdAt` is the configuration's own time: unknown,
 * so the epoch.
 */
export function declaredExceptions(config: RiposteConfig): ExceptionRecord[] {
  return config.exceptions.declared.map((entry) => ({
    id: declaredExceptionId(entry.id),
    detection: entry.detection,
    scope: scopeOf(entry),
    owner: entry.owner,
    reason: entry.reason,
    createdAt: "1970-01-01T00:00:00Z",
    expiresAt: entry.expiresAt,
    createdBy: "config",
    source: "config",
  }));
}
