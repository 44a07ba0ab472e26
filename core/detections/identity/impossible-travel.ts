import { distanceKm } from "../../geo/distance.js";
import type { Location } from "../../geo/locate.js";
import { cloudTrailDraft, eventIdOf } from "../draft.js";
import { NO_ERROR } from "../pattern-helpers.js";
import { identityFacts, type Json, principalOf, quote, str, succeeded } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, StatefulDetection } from "../types.js";
import { API_CALL, DAY, isTrusted, principalKey, SIGN_IN } from "./principal-state.js";

interface LastSeen {
  ip: string;
  at: number;
  eventId: string;
  latitude: number;
  longitude: number;
  country?: string;
  city?: string;
}

/** Where a principal was last seen (the record's key order is the finding's). */
function lastSeen(ip: string, at: number, eventId: string, place: Location): LastSeen {
  return {
    ip,
    at,
    eventId,
    latitude: place.latitude!,
    longitude: place.longitude!,
    country: place.country,
    city: place.city,
  };
}

/** An address the detection locates: public, with coordinates, not trusted. */
const located = (ip: string, context: CorrelationContext): Location | undefined => {
  if (!ip || isTrusted(ip, context)) return undefined;
  const place = context.locate(ip);
  return place.kind === "public" && place.latitude !== undefined && place.longitude !== undefined ? place : undefined;
};

/** Within a minute of the last write, the same address is not written again. */
const REFRESH_MS = 60_000;

export function createImpossibleTravel(): StatefulDetection {
  // The last address written per principal: a repeat within a minute needs no store round trip.
  const recent = new Map<string, { ip: string; at: number }>();
  const remember = (key: string, ip: string, at: number) => {
    if (recent.size >= 100_000) recent.clear();
    recent.set(key, { ip, at });
  };
  const keyOf = (record: Json) => `travel|${principalKey(record)}`;
  return withScanHints(
    {
      id: "impossible-travel",
      title: "Impossible travel",
      category: "identity",
      severity: "high",
      attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
      stateful: true,
      description:
        "Two successful sign-ins or access-key uses of one principal from places at least `thresholds.impossibleTravel.minDistanceKm` (500 km) apart, faster than `speedKmh` (900 km/h) would allow, located with the GeoLite2 data shipped on npm. AWS, private and trusted addresses are not locations; country-level locations are only compared across countries.",
      why: "One person cannot be in two distant places at once: the second use is someone else with the same credentials.",
      tuning:
        "VPNs and proxies that exit far away cause false travel: add their ranges to `trustedCidrs`. Raise `speedKmh` to tolerate imprecise geolocation.",
      response: { mode: "approval", action: "iam-revoke-sessions" },
      buildPattern: () => ({
        "detail-type": [API_CALL, SIGN_IN],
        detail: {
          ...NO_ERROR,
          $or: [
            { eventName: ["ConsoleLogin"], responseElements: { ConsoleLogin: ["Success"] } },
            { userIdentity: { accessKeyId: [{ prefix: "AKIA" }, { prefix: "ASIA" }] } },
          ],
        },
      }),
      async correlate(event, context) {
        const record = event.envelope.detail as Json;
        if (!succeeded(record)) return [];
        const ip = str(record.sourceIPAddress);
        const place = located(ip, context);
        if (!place) return [];
        const key = keyOf(record);
        const cached = recent.get(key);
        if (cached && cached.ip === ip && event.epochMs >= cached.at && event.epochMs - cached.at < REFRESH_MS)
          return [];
        const current = lastSeen(ip, event.epochMs, eventIdOf(event.envelope), place);
        const previous = (await context.state.get<LastSeen>(key, context.now))?.value;
        if (previous && previous.ip === ip && event.epochMs - previous.at < REFRESH_MS) return [];
        await context.state.put(key, current, { now: context.now, expiresAt: context.now + 2 * DAY });
        remember(key, ip, event.epochMs);
        if (!previous || previous.ip === ip || event.epochMs < previous.at) return [];
        // Without a city the point is a country centroid: only a change of country means travel.
        if ((!previous.city || !current.city) && previous.country === current.country) return [];
        const { speedKmh, minDistanceKm } = context.config.thresholds.impossibleTravel;
        const distance = distanceKm(previous, current);
        const hours = (current.at - previous.at) / 3_600_000;
        const speed = hours > 0 ? distance / hours : Number.POSITIVE_INFINITY;
        if (distance < minDistanceKm || speed <= speedKmh) return [];
        const principal = principalOf(record);
        const from = [previous.city, previous.country].filter(Boolean).join(", ");
        const to = [current.city, current.country].filter(Boolean).join(", ");
        const minutes = Math.round((current.at - previous.at) / 60_000);
        const draft = cloudTrailDraft(event.envelope, {
          resource: principal,
          summary: `${quote(principal)} was in ${quote(from, 60)} and ${minutes} minutes later in ${quote(to, 60)}: ${Math.round(distance)} km, ${Number.isFinite(speed) ? `${Math.round(speed)} km/h` : "no time between"}`,
          facts: {
            ...identityFacts(record),
            distanceKm: Math.round(distance),
            speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
            from: previous,
            to: current,
          },
        });
        return [{ ...draft, eventIds: [previous.eventId, current.eventId] }];
      },
    },
    {
      skip: {
        // The address ("" for a failed call: nothing to do), the principal's key, the event's id.
        facts: (record) => [succeeded(record) ? str(record.sourceIPAddress) : "", keyOf(record), str(record.eventID)],
        count: 3,
        test(facts, index, context) {
          const ip = facts[index]!;
          if (!located(ip, context)) return true;
          // The last address written (the store holds it: only this detection writes the key) is
          // this one, less than a minute before, or later: `correlate` writes nothing.
          const cached = recent.get(facts[index + 1]!);
          return cached !== undefined && cached.ip === ip && context.now - cached.at < REFRESH_MS;
        },
        settle(facts, index, context) {
          const [ip, key, eventId] = [facts[index]!, facts[index + 1]!, facts[index + 2]!];
          const cached = recent.get(key);
          // Another address before this one (a journey to measure), or none known: the record is needed.
          if (cached === undefined || cached.ip !== ip || !eventId) return undefined;
          // The same address a minute or more later: `correlate` only writes where the principal is.
          const { now, state } = context;
          const current = lastSeen(ip, now, eventId, located(ip, context)!);
          return async () => {
            await state.put(key, current, { now, expiresAt: now + 2 * DAY });
            remember(key, ip, now);
          };
        },
      },
    },
  );
}
