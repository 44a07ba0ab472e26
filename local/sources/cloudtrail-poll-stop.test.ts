import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { afterEach, describe, expect, it } from "vitest";
import { consoleLogin } from "../../test/fixtures/events/cloudtrail.js";
import { CLOUDTRAIL_POLL_SOURCE, createCloudTrailPollSource } from "./cloudtrail-poll.js";
import { openSourceHarness, type SourceHarness, waitFor } from "./testing.js";

/**
 * Stopping the LookupEvents poll in the middle of a window: the pages already read are in the
 * inbox, but the window was not read to its end, so its position must not move. Otherwise the
 * pages after the stop would never be asked for again and their events would be lost.
 *
 * The endpoint below speaks CloudTrail's JSON protocol (AWS JSON 1.1, `X-Amz-Target`
 * `CloudTrail_20131101.LookupEvents`, epoch-second times, newest first, an opaque `NextToken`),
 * and can hold a request unanswered so the test stops the source while a page is in flight.
 */

const MINUTE = 60_000;
const T0 = Date.parse("2024-06-01T08:00:00Z");
const REGION = "eu-west-1";

interface Endpoint {
  url: string;
  requests: { StartTime?: number; EndTime?: number; NextToken?: string }[];
  /** While set, requests that carry a NextToken get no answer. */
  holdNextPages: boolean;
  held: number;
  close(): Promise<void>;
}

async function startEndpoint(records: Record<string, unknown>[]): Promise<Endpoint> {
  const sorted = [...records].sort((a, b) => Date.parse(String(b.eventTime)) - Date.parse(String(a.eventTime)));
  const endpoint: Endpoint = { url: "", requests: [], holdNextPages: false, held: 0, close: async () => {} };
  const server: Server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const target = String(request.headers["x-amz-target"]);
    if (!target.endsWith("CloudTrail_20131101.LookupEvents")) {
      response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
      return;
    }
    const input = JSON.parse(body) as { StartTime: number; EndTime: number; MaxResults?: number; NextToken?: string };
    endpoint.requests.push(input);
    if (input.NextToken && endpoint.holdNextPages) {
      endpoint.held++;
      return; // never answered: the client has to give up on it
    }
    const max = input.MaxResults ?? 50;
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, "base64").toString()) : 0;
    const matching = sorted.filter((r) => {
      const at = Date.parse(String(r.eventTime));
      return at >= input.StartTime * 1000 && at <= input.EndTime * 1000;
    });
    const page = matching.slice(offset, offset + max);
    const more = offset + max < matching.length;
    response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    response.end(
      JSON.stringify({
        Events: page.map((r) => ({
          EventId: r.eventID,
          EventName: r.eventName,
          EventTime: Date.parse(String(r.eventTime)) / 1000,
          CloudTrailEvent: JSON.stringify(r),
        })),
        ...(more ? { NextToken: Buffer.from(String(offset + max)).toString("base64") } : {}),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

describe("CloudTrail LookupEvents source stopped in the middle of a window", () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function pollSource(harness: SourceHarness, client: CloudTrailClient) {
    return createCloudTrailPollSource({
      ...harness.context,
      regions: [REGION],
      clientFor: () => client,
      intervalMs: 3_600_000,
      overlapMs: 20 * MINUTE,
      initialLookbackMs: 60 * MINUTE,
      includeReadOnly: true,
      requestGapMs: 0,
    });
  }

  it("keeps the position where it was, and after a restart reads the pages it had not read", async () => {
    // 75 events over the last 50 minutes: two pages of at most 50.
    const records = Array.from({ length: 75 }, (_, i) =>
      consoleLogin(false, {
        eventId: `stop-${i}`,
        time: new Date(T0 - 50 * MINUTE + i * 30_000).toISOString().replace(".000Z", "Z"),
      }),
    );
    const endpoint = await startEndpoint(records);
    cleanup.push(() => endpoint.close());
    const client = new CloudTrailClient({
      endpoint: endpoint.url,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    cleanup.push(() => client.destroy());

    const first = openSourceHarness();
    cleanup.push(() => first.close());
    first.context.now = () => T0;
    endpoint.holdNextPages = true;
    const stopped = pollSource(first, client);
    stopped.start();
    await waitFor("the second page to be asked for", () => endpoint.held === 1);

    await stopped.stop();

    // The first page (the 50 newest) is in the inbox; the window was not finished, so no position.
    const firstIds = first.pending().map((event) => event.id);
    expect(firstIds).toHaveLength(50);
    expect(firstIds).toContain("stop-74");
    expect(firstIds).not.toContain("stop-0");
    expect(first.context.positions.get(CLOUDTRAIL_POLL_SOURCE, REGION)).toBeUndefined();
    expect(first.logs.filter((line) => line.level === "warn" || line.level === "error")).toEqual([]);
    first.close();
    cleanup.pop();

    // Restart on the same data directory a minute later: the whole window again, to its end.
    endpoint.holdNextPages = false;
    const second = openSourceHarness(first.dataDir);
    cleanup.push(() => second.close());
    second.context.now = () => T0 + MINUTE;
    const requestsBefore = endpoint.requests.length;
    const resumed = pollSource(second, client);
    resumed.start();
    await waitFor(
      "the window to be read",
      () => second.context.positions.get(CLOUDTRAIL_POLL_SOURCE, REGION) !== undefined,
    );
    await resumed.stop();

    const again = endpoint.requests.slice(requestsBefore);
    expect(again).toHaveLength(2);
    // No window was finished, so it is still the first one: the initial lookback from now.
    expect(again[0]).toMatchObject({ StartTime: (T0 + MINUTE - 60 * MINUTE) / 1000, EndTime: (T0 + MINUTE) / 1000 });
    const ids = second.pending().map((event) => event.id);
    expect(ids).toHaveLength(75);
    expect(new Set(ids).size).toBe(75);
    expect(second.context.positions.get(CLOUDTRAIL_POLL_SOURCE, REGION)).toEqual({
      polledUntil: T0 + MINUTE,
      newestMs: T0 - 50 * MINUTE + 74 * 30_000,
    });
    expect(resumed.status()).toMatchObject({ lagSeconds: 0 });
  });
});
