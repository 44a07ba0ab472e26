import type { RiposteConfig } from "../config/schema.js";

/**
 * Resource tags from wherever a finding or an AWS answer carries them, and what they mean for
 * Riposte: production (raises the score, requires approval) and protected (never changed).
 */

export type Tags = Record<string, string>;

/**
 * Normalize tags given as a map (`{ env: "prod" }`), as AWS lists (`[{ Key, Value }]`,
 * GuardDuty's `[{ key, value }]`), or anything else (ignored). Non-string values are dropped.
 */
export function normalizeTags(value: unknown): Tags {
  const tags: Tags = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== "object" || item === null) continue;
      const record = item as Record<string, unknown>;
      const key = record.Key ?? record.key;
      const tagValue = record.Value ?? record.value ?? "";
      if (typeof key === "string" && typeof tagValue === "string") tags[key] = tagValue;
    }
    return tags;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, tagValue] of Object.entries(value)) {
      if (typeof tagValue === "string") tags[key] = tagValue;
    }
  }
  return tags;
}

/** Whether a tag marks the resource as production (`config.productionTags`, case-insensitive). */
export function isProductionTagged(tags: Tags, config: RiposteConfig): boolean {
  const keys = new Set(config.productionTags.keys.map((key) => key.toLowerCase()));
  const values = new Set(config.productionTags.values.map((value) => value.toLowerCase()));
  return Object.entries(tags).some(([key, value]) => keys.has(key.toLowerCase()) && values.has(value.toLowerCase()));
}

/** Whether the resource carries the protection tag (`config.protection.tag`, exact). */
export function isProtectedTagged(tags: Tags, config: RiposteConfig): boolean {
  const { key, value } = config.protection.tag;
  return tags[key] === value;
}
