import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { consoleLogin, createSecurityGroup, record } from "../../test/fixtures/events/cloudtrail.js";
import { CLOUDTRAIL_POLL_SOURCE, createCloudTrailPollSource } from "./cloudtrail-poll.js";
import { openSourceHarness, type SourceHarness, waitFor } from "./testing.js";

/**
 * A small CloudTrail endpoint speaking the service's JSON protocol (AWS JSON 1.1, `X-Amz-Target`
 * `CloudTrail_20131101.LookupEvents`) as the API reference describes it: StartTime and EndTime
 * inclusive (epoch seconds), events newest first, at most MaxResults (1–50) per page, an opaque
 * NextToken valid only with the same parameters, the ReadOnly lookup attribute, and its errors.
 */
interface TrailEvent {
  record: Record<string, unknown>;
  /** Override of the CloudTrailEvent text (a malformed event). */
  text?: string;
}

/** The target as the API reference writes it, and the short form the AWS SDK for JavaScript v3 sends. */
const TARGETS = [
  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
  "CloudTrail_20131101.LookupEvents",
];

class FakeCloudTrail {
  events: TrailEvent[] = [];
  requests: Record<string, unknown>[] = [];
  /** Numbers (1-based, counted over all requests) of the requests answered with a throttling error. */
  throttled = new Set<number>();
  private server: Server | undefined;
  endpoint = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of request) body += chunk;
    const fail = (status: number, type: string, message: string) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ __type: type, message }));
    };
    if (request.method !== "POST" || !TARGETS.includes(String(request.headers["x-amz-target"]))) {
      return fail(400, "UnknownOperationException", "unexpected operation");
    }
    if (!String(request.headers["content-type"]).startsWith("application/x-amz-json-1.1")) {
      return fail(400, "SerializationException", "unexpected content type");
    }
    const input = JSON.parse(body) as {
      StartTime?: number;
      EndTime?: number;
      MaxResults?: number;
      NextToken?: string;
      LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
    };
    this.requests.push(input);
    if (this.throttled.has(this.requests.length)) return fail(400, "ThrottlingException", "Rate exceeded");
    const max = input.MaxResults ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 50) return fail(400, "InvalidMaxResultsException", "1 to 50");
    const startMs = (input.StartTime ?? 0) * 1000;
    const endMs = (input.EndTime ?? Date.now() / 1000) * 1000;
    if (startMs > endMs) return fail(400, "InvalidTimeRangeException", "StartTime is after EndTime");
    const attributes = input.LookupAttributes ?? [];
    if (attributes.length > 1) return fail(400, "InvalidLookupAttributesException", "one attribute at most");
    const readOnly = attributes[0]?.AttributeKey === "ReadOnly" ? attributes[0].AttributeValue : undefined;
    const query = JSON.stringify({ startMs, endMs, readOnly, max });
    let offset = 0;
    if (input.NextToken) {
      const token = JSON.parse(Buffer.from(input.NextToken, "base64").toString()) as { query: string; offset: number };
      if (token.query !== query) return fail(400, "InvalidNextTokenException", "token of other parameters");
      offset = token.offset;
    }
    const matching = this.events
      .filter(({ record: r }) => {
        const at = Date.parse(String(r.eventTime));
        return at >= startMs && at <= endMs && (readOnly === undefined || String(r.readOnly) === readOnly);
      })
      .sort((a, b) => Date.parse(String(b.record.eventTime)) - Date.parse(String(a.record.eventTime)));
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? { query, offset: offset + max } : undefined;
    response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    response.end(
      JSON.stringify({
        Events: page.map(({ record: r, text }) => ({
          EventId: r.eventID,
          EventName: r.eventName,
          ReadOnly: String(r.readOnly),
          EventTime: Date.parse(String(r.eventTime)) / 1000,
          EventSource: r.eventSource,
          Username: "alice",
          Resources: [],
          CloudTrailEvent: text ?? JSON.stringify(r),
        })),
        ...(next ? { NextToken: Buffer.from(JSON.stringify(next)).toString("base64") } : {}),
      }),
    );
  }
}

const MINUTE = 60_000;
const T0 = Date.parse("2024-05-01T12:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

describe("CloudTrail LookupEvents source (fake CloudTrail endpoint)", () => {
  const trail = new FakeCloudTrail();
  let client: CloudTrailClient;
  const opened: SourceHarness[] = [];

  beforeAll(async () => {
    await trail.start();
    client = new CloudTrailClient({
      endpoint: trail.endpoint,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await trail.stop();
  });
  afterEach(async () => {
    for (const harness of opened.splice(0)) harness.close();
    trail.events = [];
    trail.requests = [];
    trail.throttled.clear();
  });

  /** A harness whose clock the test sets. */
  function clockedHarness(dataDir?: string) {
    const harness = openSourceHarness(dataDir);
    opened.push(harness);
    const clock = { now: T0 };
    harness.context.now = () => clock.now;
    return { harness, clock };
  }

  /** One poll: start, wait until the window's position is written (or an error), stop. */
  async function pollOnce(harness: SourceHarness, options: { includeReadOnly?: boolean } = {}) {
    const before = JSON.stringify(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1"));
    const requestsBefore = trail.requests.length;
    const source = createCloudTrailPollSource({
      ...harness.context,
      regions: ["us-east-1"],
      clientFor: () => client,
      intervalMs: 3_600_000,
      overlapMs: 20 * MINUTE,
      initialLookbackMs: 60 * MINUTE,
      includeReadOnly: options.includeReadOnly ?? true,
      requestGapMs: 0,
    });
    source.start();
    await waitFor(
      "the poll to finish",
      () =>
        JSON.stringify(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")) !== before ||
        (source.status().error !== undefined && trail.requests.length > requestsBefore),
    );
    await source.stop();
    return { source, requests: trail.requests.slice(requestsBefore) };
  }

  it("reads every page of the first window (the initial lookback) and saves where it ended", async () => {
    const { harness } = clockedHarness();
    for (let i = 0; i < 120; i++) {
      trail.events.push({
        record: consoleLogin(false, { eventId: `ct-${i}`, time: at(T0 - 50 * MINUTE + i * 10_000) }),
      });
    }
    trail.events.push({ record: consoleLogin(false, { eventId: "ct-too-old", time: at(T0 - 61 * MINUTE) }) });

    const { requests, source } = await pollOnce(harness);

    expect(requests).toHaveLength(3);
    expect(requests.map((request) => request.NextToken === undefined)).toEqual([true, false, false]);
    for (const request of requests) {
      expect(request).toMatchObject({ StartTime: (T0 - 60 * MINUTE) / 1000, EndTime: T0 / 1000, MaxResults: 50 });
    }
    const ids = harness.pending().map((event) => event.id);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(ids).not.toContain("ct-too-old");
    expect(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")).toEqual({
      polledUntil: T0,
      newestMs: T0 - 50 * MINUTE + 119 * 10_000,
    });
    expect(source.status()).toMatchObject({
      lagSeconds: 0,
      lastEventAt: new Date(T0 - 50 * MINUTE + 119 * 10_000).toISOString(),
    });
  });

  it("after a restart starts at the saved position minus the overlap, and an event seen twice is kept once", async () => {
    const first = clockedHarness();
    trail.events.push({ record: consoleLogin(false, { eventId: "seen-twice", time: at(T0 - 10 * MINUTE) }) });
    await pollOnce(first.harness);
    first.harness.close();

    // Arrange: CloudTrail makes an earlier event visible late; the next process starts 5 minutes on.
    trail.events.push({
      record: createSecurityGroup("sg-late", "late", {}, { eventId: "late", time: at(T0 - 2 * MINUTE) }),
    });
    const second = clockedHarness(first.harness.dataDir);
    second.clock.now = T0 + 5 * MINUTE;

    const { requests } = await pollOnce(second.harness);

    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ StartTime: (T0 - 20 * MINUTE) / 1000, EndTime: (T0 + 5 * MINUTE) / 1000 });
    expect(second.harness.pending().map((event) => event.id)).toEqual(["seen-twice", "late"]);
    expect(second.harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")).toMatchObject({
      polledUntil: T0 + 5 * MINUTE,
    });
  });

  it("keeps its position when a page fails, reports the error, and reads the whole window again", async () => {
    const { harness, clock } = clockedHarness();
    for (let i = 0; i < 60; i++) {
      trail.events.push({ record: consoleLogin(false, { eventId: `p-${i}`, time: at(T0 - 10 * MINUTE + i * 1000) }) });
    }
    await pollOnce(harness);
    clock.now = T0 + 2 * MINUTE;
    // The second page of the next window is throttled.
    trail.throttled.add(trail.requests.length + 2);

    const failed = await pollOnce(harness);

    expect(failed.requests).toHaveLength(2);
    expect(failed.source.status().error).toMatch(/ThrottlingException/);
    expect(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")).toMatchObject({ polledUntil: T0 });
    // lag: two minutes since the end of the last window read completely
    expect(failed.source.status().lagSeconds).toBe(120);

    const retried = await pollOnce(harness);

    expect(retried.requests[0]).toMatchObject({
      StartTime: (T0 - 20 * MINUTE) / 1000,
      EndTime: (T0 + 2 * MINUTE) / 1000,
    });
    expect(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")).toMatchObject({
      polledUntil: T0 + 2 * MINUTE,
    });
    expect(new Set(harness.pending().map((event) => event.id)).size).toBe(60);
    expect(harness.pending()).toHaveLength(60);
  });

  it("counts lag from its start while the first poll of a region fails", async () => {
    const { harness, clock } = clockedHarness();
    trail.throttled.add(trail.requests.length + 1);

    const { source } = await pollOnce(harness);
    clock.now = T0 + 45_000;

    expect(source.status().error).toMatch(/ThrottlingException/);
    expect(source.status().lagSeconds).toBe(45);
    expect(harness.context.positions.get(CLOUDTRAIL_POLL_SOURCE, "us-east-1")).toBeUndefined();
  });

  it("asks for write calls only when read-only events are excluded", async () => {
    const { harness } = clockedHarness();
    trail.events.push({
      record: record("ec2.amazonaws.com", "DescribeInstances", null, null, { eventId: "ro", time: at(T0 - MINUTE) }),
    });
    trail.events.push({ record: consoleLogin(false, { eventId: "rw", time: at(T0 - MINUTE) }) });

    const { requests } = await pollOnce(harness, { includeReadOnly: false });

    expect(requests[0]?.LookupAttributes).toEqual([{ AttributeKey: "ReadOnly", AttributeValue: "false" }]);
    expect(harness.pending().map((event) => event.id)).toEqual(["rw"]);
  });

  it("skips an event whose CloudTrailEvent is not JSON, logging its id, and reads the rest", async () => {
    const { harness } = clockedHarness();
    trail.events.push({ record: consoleLogin(false, { eventId: "broken", time: at(T0 - MINUTE) }), text: "{not json" });
    trail.events.push({ record: consoleLogin(false, { eventId: "fine", time: at(T0 - 2 * MINUTE) }) });

    await pollOnce(harness);

    expect(harness.pending().map((event) => event.id)).toEqual(["fine"]);
    expect(harness.logs.find((line) => line.msg === "LookupEvents returned an event that is not JSON")).toMatchObject({
      eventId: "broken",
      region: "us-east-1",
    });
  });
});
