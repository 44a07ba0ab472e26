import { updateItem } from "../../correlation/store.js";
import { cloudTrailDraft } from "../draft.js";
import { accountOf, identityFacts, type Json, principalOf, quote, str } from "../record.js";
import { withScanHints } from "../scan-hints.js";
import type { StatefulDetection } from "../types.js";
import { API_CALL, DAY } from "./principal-state.js";

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
