import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Slack request signatures (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`
 * keyed with the app's signing secret, with `X-Slack-Request-Timestamp` in seconds. Requests
 * more than five minutes from our clock are refused, so a captured request cannot be replayed
 * later (and approvals are single use, so an early replay changes nothing either).
 */

export const MAX_SKEW_SECONDS = 5 * 60;

/** A request that is not provably from Slack: missing, malformed, stale or wrong signature. */
export class InvalidSlackSignature extends Error {
  override readonly name = "InvalidSlackSignature";
}

/** `v0=…` for a body at a timestamp (what Slack sends; used by tests and the fake Slack). */
export function signSlackRequest(signingSecret: string, timestamp: string | number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/**
 * Verify a Slack request; throws `InvalidSlackSignature` naming the problem. `body` is the raw
 * body exactly as received (before any parsing), `now` the current time.
 */
export function verifySlackSignature(args: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now: Date;
}): void {
  const { signingSecret, timestamp, signature, body, now } = args;
  if (!signingSecret) throw new InvalidSlackSignature("no Slack signing secret is configured");
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    throw new InvalidSlackSignature("X-Slack-Request-Timestamp is missing or not a number");
  }
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    throw new InvalidSlackSignature("X-Slack-Signature is missing or not a v0 signature");
  }
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > MAX_SKEW_SECONDS) {
    throw new InvalidSlackSignature(
      `X-Slack-Request-Timestamp is ${skew} s from now (more than ${MAX_SKEW_SECONDS} s)`,
    );
  }
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, body));
  const given = Buffer.from(signature);
  // Same length by the format check above; compared in constant time.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new InvalidSlackSignature("X-Slack-Signature does not match the request");
  }
}
