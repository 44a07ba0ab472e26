import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiToken } from "./types.js";

/**
 * Bearer-token checks for the API and the WebSocket. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, against every configured token, so timing reveals neither length nor prefix.
 */

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** The token in an `Authorization: Bearer …` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** A checker that returns the principal a token belongs to, or undefined. */
export function createTokenChecker(tokens: readonly ApiToken[]): (presented: string | undefined) => string | undefined {
  const known = tokens
    .filter((entry) => entry.token.length > 0)
    .map((entry) => ({ ...entry, hash: digest(entry.token) }));
  return (presented) => {
    if (presented === undefined || presented.length === 0) return undefined;
    const hash = digest(presented);
    let principal: string | undefined;
    for (const entry of known) {
      if (timingSafeEqual(hash, entry.hash) && principal === undefined) principal = entry.principal;
    }
    return principal;
  };
}

/** A new random token: 32 bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens shorter than this are accepted but reported as weak. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The dashboard token: `RIPOSTE_DASHBOARD_TOKEN` when set, else a fresh random one that the
 * caller prints (it lives only as long as the process).
 */
export function resolveDashboardToken(env: Record<string, string | undefined>): {
  token: string;
  generated: boolean;
  weak: boolean;
} {
  const configured = env.RIPOSTE_DASHBOARD_TOKEN?.trim();
  if (configured) return { token: configured, generated: false, weak: configured.length < MIN_TOKEN_LENGTH };
  return { token: generateToken(), generated: true, weak: false };
}
