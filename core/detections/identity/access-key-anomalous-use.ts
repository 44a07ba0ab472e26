import type { Location } from "../../geo/locate.js";
import { cloudTrailDraft } from "../draft.js";
import { at, identityFacts, type Json, principalOf, quote, str } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { CorrelationContext, StatefulDetection } from "../types.js";
import { API_CALL, baselineExpiry, DAY, isTrusted } from "./principal-state.js";

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
