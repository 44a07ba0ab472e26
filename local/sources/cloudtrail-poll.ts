import { type CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { normalizeRecords } from "../../core/events/index.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { describe, type EventSource, newestOf, pause, type SourceContext, SourceHealth } from "./source.js";

/**
 * Polls CloudTrail `LookupEvents` (the management events of the account the credentials belong
 * to, per region). Each poll reads from the end of the previous one minus `overlapMs` — CloudTrail
 * makes events visible minutes after they happen — up to now, page by page (at most two requests
 * per second per region, the API's limit), and persists each page's events; the position (the end
 * of the window) is saved after the last page. Events seen twice through the overlap are
 * recognised by the inbox, as long as it remembers them (`runtime.dedupeHours` ≥ the overlap).
 */

export interface CloudTrailPollOptions extends SourceContext {
  regions: readonly string[];
  clientFor: (region: string) => Pick<CloudTrailClient, "send">;
  intervalMs: number;
  overlapMs: number;
  initialLookbackMs: number;
  includeReadOnly: boolean;
  /** Least time between two requests to one region (default 550 ms: under two per second). */
  requestGapMs?: number;
}

interface PollPosition {
  /** End of the last window read completely (epoch ms). */
  polledUntil: number;
  /** Newest event time seen (epoch ms). */
  newestMs?: number;
}

export const CLOUDTRAIL_POLL_SOURCE = "cloudtrail-poll";

export function createCloudTrailPollSource(options: CloudTrailPollOptions): EventSource {
  const health = new SourceHealth(`cloudtrail-poll ${options.regions.join(",")}`, options.now);
  const logger = options.logger.child({ source: CLOUDTRAIL_POLL_SOURCE });
  const abort = new AbortController();
  const gap = options.requestGapMs ?? 550;
  let running: Promise<void> = Promise.resolve();
  const lastRequestAt = new Map<string, number>();

  async function request(region: string, input: LookupEventsCommandInput) {
    const wait = (lastRequestAt.get(region) ?? 0) + gap - options.now();
    if (wait > 0) await pause(wait, abort.signal);
    lastRequestAt.set(region, options.now());
    return options.clientFor(region).send(new LookupEventsCommand(input), { abortSignal: abort.signal });
  }

  /** Read one region's window [start, end]; returns the newest event time seen. */
  async function pollRegion(region: string): Promise<void> {
    const position = options.positions.get<PollPosition>(CLOUDTRAIL_POLL_SOURCE, region);
    const end = options.now();
    const start = position ? Math.min(position.polledUntil - options.overlapMs, end) : end - options.initialLookbackMs;
    let nextToken: string | undefined;
    let newest = position?.newestMs;
    let total = 0;
    do {
      const page = await request(region, {
        StartTime: new Date(start),
        EndTime: new Date(end),
        MaxResults: 50,
        ...(options.includeReadOnly
          ? {}
          : { LookupAttributes: [{ AttributeKey: "ReadOnly", AttributeValue: "false" }] }),
        ...(nextToken ? { NextToken: nextToken } : {}),
      });
      const events: SecurityEvent[] = [];
      for (const entry of page.Events ?? []) {
        let record: unknown;
        try {
          record = JSON.parse(entry.CloudTrailEvent ?? "");
        } catch {
          logger.warn("LookupEvents returned an event that is not JSON", { region, eventId: entry.EventId });
          continue;
        }
        const normalized = normalizeRecords(record, `${CLOUDTRAIL_POLL_SOURCE}:${region}`);
        for (const error of normalized.errors)
          logger.warn("unreadable event", { region, eventId: entry.EventId, ...error });
        events.push(...normalized.events);
      }
      await options.inbox.add(events, CLOUDTRAIL_POLL_SOURCE);
      const pageNewest = newestOf(events);
      if (pageNewest !== undefined && (newest === undefined || pageNewest > newest)) newest = pageNewest;
      total += events.length;
      health.delivered(pageNewest);
      nextToken = page.NextToken;
    } while (nextToken && !abort.signal.aborted);
    if (abort.signal.aborted) return;
    // The window was read to its end: the next poll starts from here (minus the overlap).
    await options.positions.set(CLOUDTRAIL_POLL_SOURCE, region, {
      polledUntil: end,
      ...(newest !== undefined ? { newestMs: newest } : {}),
    } satisfies PollPosition);
    logger.debug("LookupEvents window read", { region, from: new Date(start).toISOString(), events: total });
  }

  /** The end of the oldest window read completely; a region never read counts from the start. */
  function behindSince(startedAt: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const region of options.regions) {
      const until = options.positions.get<PollPosition>(CLOUDTRAIL_POLL_SOURCE, region)?.polledUntil ?? startedAt;
      oldest = Math.min(oldest, until);
    }
    return oldest;
  }

  async function loop(): Promise<void> {
    const startedAt = options.now();
    while (!abort.signal.aborted) {
      let failed = false;
      for (const region of options.regions) {
        if (abort.signal.aborted) return;
        try {
          await pollRegion(region);
        } catch (error) {
          if (abort.signal.aborted) return;
          failed = true;
          health.failed(error);
          logger.warn("LookupEvents failed; the window is read again at the next poll", {
            region,
            error: describe(error),
          });
        }
      }
      if (!failed) health.recovered();
      health.behind(behindSince(startedAt));
      await pause(options.intervalMs, abort.signal);
    }
  }

  return {
    name: health.name,
    start() {
      running = loop();
    },
    async stop() {
      abort.abort();
      await running;
    },
    status: () => health.status(),
  };
}
