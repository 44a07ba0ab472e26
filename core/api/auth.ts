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

/** The principal of the single shared token (RIPOSTE_DASHBOARD_TOKEN, the DashboardToken secret). */
export const SHARED_PRINCIPAL = "dashboard";

const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
// What an `Authorization: Bearer` header can carry: visible ASCII, no spaces.
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** A malformed list of named dashboard tokens; the message names the setting and the entry, never a token. */
export class DashboardTokensError extends Error {
  override name = "DashboardTokensError";
}

/**
 * Named dashboard tokens, one per person, so an approval records who gave it: `name=token` pairs
 * separated by commas or newlines (blank entries are skipped). Names are 1 to 64 of
 * `A-Z a-z 0-9 . _ @ -`; tokens at least MIN_TOKEN_LENGTH visible ASCII characters; names and
 * tokens unique. Errors name `setting` and the entry by its position only: a mistyped entry may
 * be a token, so neither its name nor its token is ever repeated.
 */
export function parseDashboardUsers(value: string, setting: string): ApiToken[] {
  const entries = value
    .split(/[,\r\n]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  const users: ApiToken[] = [];
  entries.forEach((entry, index) => {
    const at = `${setting}: entry ${index + 1}`;
    const separator = entry.indexOf("=");
    if (separator < 0) throw new DashboardTokensError(`${at} is not name=token`);
    const principal = entry.slice(0, separator).trim();
    const token = entry.slice(separator + 1).trim();
    if (!USER_NAME.test(principal)) {
      throw new DashboardTokensError(`${at}: the name must be 1 to 64 letters, digits or . _ @ - before the "="`);
    }
    if (principal === SHARED_PRINCIPAL) {
      throw new DashboardTokensError(`${at}: the name "${SHARED_PRINCIPAL}" is reserved for the shared token`);
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new DashboardTokensError(
        `${at}: the token is too short: it must be at least ${MIN_TOKEN_LENGTH} characters`,
      );
    }
    if (!TOKEN_CHARACTERS.test(token)) {
      throw new DashboardTokensError(`${at}: the token must be visible ASCII characters without spaces`);
    }
    const sameName = users.findIndex((user) => user.principal === principal);
    if (sameName >= 0)
      throw new DashboardTokensError(`${setting}: entries ${sameName + 1} and ${index + 1} have the same name`);
    const sameToken = users.findIndex((user) => user.token === token);
    if (sameToken >= 0)
      throw new DashboardTokensError(`${setting}: entries ${sameToken + 1} and ${index + 1} have the same token`);
    users.push({ principal, token });
  });
  return users;
}

/**
 * Every token the dashboard accepts: the named ones from `users` (see `parseDashboardUsers`) and
 * the shared one, when set, as "dashboard". `names` says how errors call the two settings.
 */
export function dashboardTokens(settings: {
  users: string | undefined;
  shared: string | undefined;
  names: { users: string; shared: string };
}): ApiToken[] {
  const users = parseDashboardUsers(settings.users ?? "", settings.names.users);
  const shared = settings.shared?.trim() ?? "";
  if (shared.length === 0) return users;
  const same = users.findIndex((user) => user.token === shared);
  if (same >= 0) {
    throw new DashboardTokensError(
      `${settings.names.users}: entry ${same + 1} has the same token as ${settings.names.shared}`,
    );
  }
  return [...users, { token: shared, principal: SHARED_PRINCIPAL }];
}

/**
 * `riposte serve`'s named tokens: RIPOSTE_DASHBOARD_TOKENS, plus RIPOSTE_DASHBOARD_TOKEN as
 * "dashboard" when that is set too; undefined when RIPOSTE_DASHBOARD_TOKENS has no entry (then
 * `resolveDashboardToken` applies). `weak`: the shared token is short.
 */
export function resolveDashboardTokens(
  env: Record<string, string | undefined>,
): { tokens: ApiToken[]; weak: boolean } | undefined {
  if (parseDashboardUsers(env.RIPOSTE_DASHBOARD_TOKENS ?? "", "RIPOSTE_DASHBOARD_TOKENS").length === 0)
    return undefined;
  const tokens = dashboardTokens({
    users: env.RIPOSTE_DASHBOARD_TOKENS,
    shared: env.RIPOSTE_DASHBOARD_TOKEN,
    names: { users: "RIPOSTE_DASHBOARD_TOKENS", shared: "RIPOSTE_DASHBOARD_TOKEN" },
  });
  const shared = tokens.find((entry) => entry.principal === SHARED_PRINCIPAL);
  return { tokens, weak: shared !== undefined && shared.token.length < MIN_TOKEN_LENGTH };
}
