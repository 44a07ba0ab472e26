import { isIP } from "node:net";

/**
 * Throttling of wrong bearer tokens, per client address. A client that presented `maxFailures`
 * wrong tokens within `windowMs` is answered 429 until that window ends, and its tokens are not
 * checked meanwhile: checking them would tell a guesser which guess was right, so nothing would
 * be throttled. A correct token does not reset the count, since clients behind one address (every
 * local process is 127.0.0.1) would otherwise clear each other's failures. Memory is bounded:
 * at most `maxClients` addresses are tracked, the least recently failed forgotten first.
 */
export interface AuthThrottle {
  /** Seconds until `client` may present a token again, or undefined when it may now. */
  retryAfter(client: string): number | undefined;
  /** Record a wrong token presented by `client`. */
  failed(client: string): void;
  /** Addresses tracked (for tests and diagnostics). */
  readonly size: number;
}

export interface AuthThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  maxClients?: number;
  now?: () => number;
}

export const DEFAULT_THROTTLE = { maxFailures: 20, windowMs: 60_000, maxClients: 10_000 } as const;

interface Failures {
  count: number;
  since: number;
}

/**
 * The throttling key of an address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, the
 * block one host usually gets, so a guesser cannot escape by moving through its own addresses.
 */
/** The key all loopback addresses share. */
export const LOOPBACK = "loopback";

export function clientKey(address: string): string {
  const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
  // Every local process may send from any of 127.0.0.0/8 (or ::1): one key, or a local guesser
  // would get 20 tries a minute per address, 16 million addresses over.
  if (/^127\./.test(plain) || plain === "::1" || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(plain)) return LOOPBACK;
  if (isIP(plain) !== 6) return plain;
  const [head = "", tail = ""] = plain.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = plain.includes("::") ? (tail ? tail.split(":") : []) : [];
  // An embedded IPv4 tail (::1.2.3.4) lies in the last 32 bits, outside the /64.
  const missing = 8 - headGroups.length - tailGroups.length - (/\./.test(plain) ? 1 : 0);
  const groups = [...headGroups, ...new Array<string>(Math.max(missing, 0)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

export function createAuthThrottle(options: AuthThrottleOptions = {}): AuthThrottle {
  const maxFailures = options.maxFailures ?? DEFAULT_THROTTLE.maxFailures;
  const windowMs = options.windowMs ?? DEFAULT_THROTTLE.windowMs;
  const maxClients = options.maxClients ?? DEFAULT_THROTTLE.maxClients;
  const now = options.now ?? Date.now;
  // A Map keeps insertion order: re-inserting on each failure makes its first key the stalest.
  const clients = new Map<string, Failures>();

  const current = (key: string, at: number): Failures | undefined => {
    const entry = clients.get(key);
    if (entry && at - entry.since >= windowMs) {
      clients.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    retryAfter(client) {
      const at = now();
      const entry = current(clientKey(client), at);
      if (!entry || entry.count < maxFailures) return undefined;
      return Math.max(1, Math.ceil((entry.since + windowMs - at) / 1000));
    },
    failed(client) {
      const at = now();
      const key = clientKey(client);
      const entry = current(key, at) ?? { count: 0, since: at };
      entry.count += 1;
      clients.delete(key);
      clients.set(key, entry);
      while (clients.size > maxClients) {
        const stalest = clients.keys().next().value;
        if (stalest === undefined) break;
        clients.delete(stalest);
      }
    },
    get size() {
      return clients.size;
    },
  };
}
