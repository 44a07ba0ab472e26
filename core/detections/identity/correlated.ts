import type { RiposteConfig } from "../../config/schema.js";
import { updateItem } from "../../correlation/store.js";
import { distanceKm } from "../../geo/distance.js";
import type { Location } from "../../geo/locate.js";
import { declareFirstSeen, declareThreshold } from "../correlate.js";
import { cloudTrailDraft, eventIdOf } from "../draft.js";
import { NO_ERROR } from "../pattern-helpers.js";
import { accountOf, at, identityFacts, type Json, principalOf, quote, str, succeeded } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, StatefulDetection } from "../types.js";

/** Identity detections that correlate events: counts in windows, baselines, travel speed. */

const SIGN_IN = "AWS Console Sign In via CloudTrail";
const API_CALL = "AWS API Call via CloudTrail";
const DAY = 24 * 60 * 60 * 1000;

const consoleLogins = (result: "Success" | "Failure") => ({
  source: ["aws.signin"],
  "detail-type": [SIGN_IN],
  detail: {
    eventSource: ["signin.amazonaws.com"],
    eventName: ["ConsoleLogin"],
    responseElements: { ConsoleLogin: [result] },
  },
});

/** Whose state it is: the account and the principal (its ARN, or the user name when there is none). */
export function principalStateKey(account: string, principal: string): string {
  return `${account}|${principal}`;
}

function principalKey(record: Json): string {
  return principalStateKey(accountOf(record), principalOf(record) || str(at(record, "userIdentity", "userName")));
}

/**
 * The baseline of a principal's successful console sign-ins (`principalStateKey`): a set of the
 * addresses or user agents seen, kept `thresholds.baseline.days`. Enrichment reads it too.
 */
export function signInBaselineKey(which: "ip" | "device", principal: string): string {
  return `${which}s|${principal}`;
}

const baselineExpiry = (context: CorrelationContext) => context.now + context.config.thresholds.baseline.days * DAY;
const isTrusted = (ip: string, context: CorrelationContext) => context.isTrusted(ip);

// ---------------------------------------------------------------- brute force

export const consoleLoginBruteForce = declareThreshold({
  id: "console-login-brute-force",
  title: "Console sign-in brute force",
  category: "identity",
  severity: "high",
  attack: { id: "T1110.001", name: "Brute Force: Password Guessing" },
  asff: ["TTPs/Credential Access"],
  description:
    "At least `thresholds.bruteForce.failures` (3) failed console sign-ins for one principal within `thresholds.bruteForce.windowMinutes` (10) minutes. Each finding consumes the failures it counted.",
  why: "Repeated failures against one identity are password guessing; a success right after is a likely compromise.",
  tuning:
    "Raise the failure count or shorten the window for noisy users. Remediation denies the user for `remediation.denyPolicyMinutes` with a policy that expires by itself.",
  response: { mode: "auto", action: "iam-deny-temporarily" },
  pattern: () => consoleLogins("Failure"),
  group: (record) => principalKey(record),
  stateKey: (group) => `bruteforce|${group}`,
  threshold: (config) => ({
    count: config.thresholds.bruteForce.failures,
    windowMinutes: config.thresholds.bruteForce.windowMinutes,
  }),
  // Each finding consumes its failures; the next `failures` ones fire again.
  rearm: "count",
  note: (record) => str(record.sourceIPAddress),
  found(record, counted, context) {
    const principal = principalOf(record);
    const ips = [...new Set(counted.map((entry) => entry.note).filter(Boolean))];
    return {
      resource: principal,
      summary: `${counted.length} failed console sign-ins for ${quote(principal)} within ${context.config.thresholds.bruteForce.windowMinutes} minutes from ${ips.map((ip) => quote(ip, 45)).join(", ") || "unknown addresses"}`,
      facts: {
        ...identityFacts(record),
        failures: counted.map((entry) => ({ id: entry.id, at: entry.at, ip: entry.note })),
        sourceIps: ips,
      },
    };
  },
});

// ---------------------------------------------------------------- new IP / new device

/** The sign-in baselines: values never seen for the principal, once it has signed in before. */
const signInBaseline = (config: RiposteConfig) => ({ lookbackDays: config.thresholds.baseline.days, learningDays: 0 });

export const consoleLoginNewIp = declareFirstSeen({
  id: "console-login-new-ip",
  title: "Console sign-in from a new IP address",
  category: "identity",
  severity: "medium",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "Unusual Behaviors/User"],
  description:
    "A successful console sign-in from an IP address never seen for that principal, once the principal has at least one earlier successful sign-in. Known addresses are remembered for `thresholds.baseline.days` (90).",
  why: "Stolen passwords are used from the attacker's network, not the victim's usual ones.",
  tuning:
    "Add office and VPN egress ranges to `trustedCidrs`: they are never new. Roaming users will fire; that is the trade-off.",
  response: { mode: "notify" },
  pattern: () => consoleLogins("Success"),
  group: (record) => principalKey(record),
  stateKey: (group) => signInBaselineKey("ip", group),
  baseline: signInBaseline,
  values: (record, context) => {
    const ip = str(record.sourceIPAddress);
    return ip && context.locate(ip).kind !== "invalid" ? [ip] : [];
  },
  found(record, [ip], context) {
    // A trusted address is learned but never new.
    if (!ip || context.isTrusted(ip)) return undefined;
    const principal = principalOf(record);
    const where = context.locate(ip);
    const place = [where.city, where.countryName ?? where.country].filter(Boolean).join(", ");
    return {
      resource: principal,
      summary: `${quote(principal)} signed in to the console from a new address ${quote(ip, 45)}${place ? ` (${quote(place, 80)})` : ""}`,
      facts: { ...identityFacts(record), newIp: ip, country: where.country, asn: where.asn },
    };
  },
});

export const consoleLoginNewDevice = declareFirstSeen({
  id: "console-login-new-device",
  title: "Console sign-in from a new device",
  category: "identity",
  severity: "low",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "Unusual Behaviors/User"],
  description:
    "A successful console sign-in with a user agent never seen for that principal, once the principal has at least one earlier successful sign-in.",
  why: "A new browser or operating system, together with other signals (new IP, odd hours), points at someone else using the account.",
  tuning:
    "Browser updates change the user agent and fire too: low severity, notify only. Turn it off if it is noise for you.",
  response: { mode: "notify" },
  pattern: () => consoleLogins("Success"),
  group: (record) => principalKey(record),
  stateKey: (group) => signInBaselineKey("device", group),
  baseline: signInBaseline,
  values: (record) => {
    const agent = str(record.userAgent).trim();
    return agent ? [agent] : [];
  },
  found(record, [agent]) {
    if (!agent) return undefined;
    const principal = principalOf(record);
    return {
      resource: principal,
      summary: `${quote(principal)} signed in to the console from a new device (${quote(agent, 120)})`,
      facts: { ...identityFacts(record), newUserAgent: agent },
    };
  },
});

// ---------------------------------------------------------------- anomalous access key use

/** Where an address counts from, for baselines: public or AWS addresses that locate. */
function placeOf(ip: string, context: CorrelationContext): Location | undefined {
  if (!ip) return undefined;
  const location = context.locate(ip);
  if (location.kind !== "public" && location.kind !== "aws") return undefined;
  if (!location.country && location.asn === undefined) return undefined;
  return location;
}

/** Key uses already confirmed against the baseline (key → ip → event time), to skip repeated work. */
const CONFIRMED_LIMIT = 200_000;

export function createAccessKeyAnomalousUse(): StatefulDetection {
  const confirmed = new Map<string, number>();
  return withScanHints(
    {
      id: "access-key-anomalous-use",
      title: "Access key used from a new country or network",
      category: "identity",
      severity: "high",
      attack: { id: "T1550.001", name: "Use Alternate Authentication Material: Application Access Token" },
      stateful: true,
      description:
        "An access key was used from a country or an autonomous system (ASN) never seen for that key, once the key has a baseline (an earlier use from a locatable address). Addresses of AWS services acting for the key are ignored.",
      why: "Leaked keys are used from the attacker's infrastructure: a key that always worked from one cloud region or office suddenly calling from another country or a hosting provider.",
      tuning:
        "Add your own egress ranges to `trustedCidrs`. Keys used from many networks (CI runners) fire more; scope such keys tightly. Temporary (ASIA…) keys get their sessions revoked instead of the key deactivated.",
      response: { mode: "approval", action: "iam-deactivate-access-key" },
      buildPattern: () => ({
        "detail-type": [API_CALL],
        detail: {
          userIdentity: { accessKeyId: [{ prefix: "AKIA" }, { prefix: "ASIA" }] },
          sourceIPAddress: [{ exists: true }],
        },
      }),
      async correlate(event, context) {
        const record = event.envelope.detail as Json;
        const key = str(at(record, "userIdentity", "accessKeyId"));
        const ip = str(record.sourceIPAddress);
        const cacheKey = `${key}|${ip}`;
        const place = placeOf(ip, context);
        if (!place) return [];
        const members = [
          place.country ? `country:${place.country}` : "",
          place.asn !== undefined ? `asn:${place.asn}` : "",
        ].filter(Boolean);
        const { added, size } = await context.state.addToSet(`keyplaces|${key}`, members, {
          now: context.now,
          expiresAt: baselineExpiry(context),
        });
        if (confirmed.size >= CONFIRMED_LIMIT) confirmed.clear();
        confirmed.set(cacheKey, context.now);
        const hadBaseline = size - added.length > 0;
        if (added.length === 0 || !hadBaseline || isTrusted(ip, context)) return [];
        const what = added.map((member) =>
          member.startsWith("country:")
            ? `country ${place.countryName ?? member.slice(8)}`
            : `network AS${member.slice(4)}${place.asOrg ? ` (${quote(place.asOrg, 60)})` : ""}`,
        );
        return [
          cloudTrailDraft(event.envelope, {
            resource: key,
            summary: `Access key ${quote(key, 32)} of ${quote(principalOf(record))} used from a new ${what.join(" and ")} (${quote(ip, 45)})`,
            facts: {
              ...identityFacts(record),
              accessKeyId: key,
              country: place.country,
              asn: place.asn,
              newPlaces: added,
            },
          }),
        ];
      },
    },
    {
      skip: {
        facts: (record) => [`${str(at(record, "userIdentity", "accessKeyId"))}|${str(record.sourceIPAddress)}`],
        count: 1,
        test(facts, index, context) {
          const seen = confirmed.get(facts[index]!);
          return seen !== undefined && context.now - seen < DAY && context.now >= seen;
        },
      },
    },
  );
}

// ---------------------------------------------------------------- impossible travel

interface LastSeen {
  ip: string;
  at: number;
  eventId: string;
  latitude: number;
  longitude: number;
  country?: string;
  city?: string;
}

export function createImpossibleTravel(): StatefulDetection {
  // The last address written per principal: a repeat within a minute needs no store round trip.
  const recent = new Map<string, { ip: string; at: number }>();
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
        if (!ip || isTrusted(ip, context)) return [];
        const place = context.locate(ip);
        if (place.kind !== "public" || place.latitude === undefined || place.longitude === undefined) return [];
        const key = keyOf(record);
        const cached = recent.get(key);
        if (cached && cached.ip === ip && event.epochMs >= cached.at && event.epochMs - cached.at < 60_000) return [];
        const current: LastSeen = {
          ip,
          at: event.epochMs,
          eventId: eventIdOf(event.envelope),
          latitude: place.latitude,
          longitude: place.longitude,
          country: place.country,
          city: place.city,
        };
        const previous = (await context.state.get<LastSeen>(key, context.now))?.value;
        if (previous && previous.ip === ip && event.epochMs - previous.at < 60_000) return [];
        await context.state.put(key, current, { now: context.now, expiresAt: context.now + 2 * DAY });
        if (recent.size >= 100_000) recent.clear();
        recent.set(key, { ip, at: event.epochMs });
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
        facts: (record) => [str(record.sourceIPAddress), keyOf(record)],
        count: 2,
        test(facts, index, context) {
          const ip = facts[index]!;
          if (!ip || context.locate(ip).kind !== "public") return true;
          const cached = recent.get(facts[index + 1]!);
          return (
            cached !== undefined && cached.ip === ip && context.now >= cached.at && context.now - cached.at < 60_000
          );
        },
      },
    },
  );
}

// ---------------------------------------------------------------- unusual region

interface AccountRegions {
  /** Event time of the first event seen for the account. */
  since: number;
  /** Region → last event time. */
  regions: Record<string, number>;
}

/** Write a region's last-seen time at most this often (the lookback is days). */
const REGION_WRITE_INTERVAL = 60 * 60 * 1000;

export function createUnusualRegion(): StatefulDetection {
  const written = new Map<string, number>();
  return withScanHints(
    {
      id: "unusual-region",
      title: "Activity in an unusual region",
      category: "identity",
      severity: "medium",
      attack: { id: "T1535", name: "Unused/Unsupported Cloud Regions" },
      stateful: true,
      description:
        "Activity in a region with no event for that account in the preceding `thresholds.unusualRegion.lookbackDays` (7) days while the account was active elsewhere. It needs that much history: nothing fires until Riposte has watched the account for the whole lookback. Global services (`thresholds.unusualRegion.globalServices`) and AWS service events are ignored.",
      why: "Attackers launch crypto miners and hide resources in regions nobody looks at.",
      tuning:
        "Disable regions you never use with an SCP; lengthen the lookback to reduce noise from rare legitimate use.",
      response: { mode: "notify" },
      buildPattern: (config) => ({
        "detail-type": [API_CALL, "AWS Console Action via CloudTrail"],
        detail: {
          awsRegion: [{ exists: true }],
          eventSource: [{ "anything-but": [...config.thresholds.unusualRegion.globalServices] }],
          eventType: [{ "anything-but": "AwsServiceEvent" }],
          userIdentity: { type: [{ "anything-but": "AWSService" }] },
        },
      }),
      async correlate(event, context, trigger) {
        const record = event.envelope.detail as Json;
        const account = accountOf(record);
        const region = str(record.awsRegion);
        if (!account || !region) return [];
        const lookback = context.config.thresholds.unusualRegion.lookbackDays * DAY;
        const cacheKey = `${account}|${region}`;
        let unusual = false;
        await updateItem<AccountRegions>(
          context.state,
          `regions|${account}`,
          context.now,
          context.now + lookback * 4,
          (current) => {
            const state: AccountRegions = current ?? { since: context.now, regions: {} };
            const previous = state.regions[region];
            const activeElsewhere = Object.entries(state.regions).some(
              ([other, time]) => other !== region && time > context.now - lookback,
            );
            unusual =
              (previous === undefined || previous <= context.now - lookback) &&
              activeElsewhere &&
              state.since <= context.now - lookback;
            for (const [name, time] of Object.entries(state.regions)) {
              if (time <= context.now - lookback * 4) delete state.regions[name];
            }
            state.regions[region] = Math.max(previous ?? 0, context.now);
            return state;
          },
        );
        if (written.size > 100_000) written.clear();
        written.set(cacheKey, context.now);
        if (!unusual || !trigger) return [];
        return [
          cloudTrailDraft(event.envelope, {
            resource: `${account}/${region}`,
            summary: `${quote(principalOf(record))} called ${quote(str(record.eventName), 80)} in ${quote(region, 40)}, a region with no activity in the last ${context.config.thresholds.unusualRegion.lookbackDays} days`,
            facts: { ...identityFacts(record), region, eventName: str(record.eventName) },
          }),
        ];
      },
    },
    {
      skip: {
        facts: (record) => [`${accountOf(record)}|${str(record.awsRegion)}`],
        count: 1,
        test(facts, index, context) {
          // Seen recently and written: the region is not unusual and the store is current enough.
          const last = written.get(facts[index]!);
          return last !== undefined && context.now >= last && context.now - last < REGION_WRITE_INTERVAL;
        },
      },
    },
  );
}

export function identityCorrelators(): StatefulDetection[] {
  return [
    consoleLoginBruteForce,
    consoleLoginNewIp,
    consoleLoginNewDevice,
    createAccessKeyAnomalousUse(),
    createImpossibleTravel(),
    createUnusualRegion(),
  ];
}
