import { isIP } from "node:net";

/**
 * Which `Host` headers the local server answers. Bound to loopback, it answers only loopback
 * names (plus configured ones): a web page that rebinds its own DNS name to 127.0.0.1 then gets
 * 403 instead of talking to Riposte. Bound elsewhere, configured names restrict it likewise.
 */

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1"];

/** Whether an address or name to bind is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** The host name of a `Host` header, without port or IPv6 brackets, lower case. */
export function hostName(header: string): string | undefined {
  const trimmed = header.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed) return bracketed[1];
  const plain = /^([^:\s/]+)(?::\d+)?$/.exec(trimmed);
  return plain?.[1];
}

/** A predicate over `Host` headers for a server bound to `bindHost`. */
export function hostPolicy(
  bindHost: string,
  allowedHosts: readonly string[] = [],
): (header: string | undefined) => boolean {
  const allowed = new Set([...LOOPBACK_NAMES, ...allowedHosts.map((host) => host.toLowerCase())]);
  const enforce = isLoopbackAddress(bindHost) || allowedHosts.length > 0;
  return (header) => {
    if (!enforce) return true;
    const name = header === undefined ? undefined : hostName(header);
    return name !== undefined && (allowed.has(name) || (isIP(name) === 4 && name.startsWith("127.")));
  };
}
