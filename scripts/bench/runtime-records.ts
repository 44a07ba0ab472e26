import { type Agent, request } from "node:http";
import { authorizeIngress, cloudtrail, identity, publicReadPolicy, s3 } from "../../test/fixtures/events/cloudtrail.js";

/**
 * What the runtime benches (runtime.bench.ts, runtime-profile.ts, runtime-commits.ts) push
 * through `riposte serve`: one raw CloudTrail record per incident, three stateless detections
 * taking turns (a world-open SSH rule, a public bucket policy, a StopLogging call), and the
 * `POST /api/events` that delivers one.
 */

/**
 * `count` records of batch `slot`, each from its own account and actor a second apart (an
 * organisation's trail): several world-open rules within one account and window would add a
 * correlated finding (`sg-repeated-open`) to the one each record makes, and the benches count one
 * incident per record. Slots are an hour apart in event time and use accounts of their own, so
 * batches never correlate (a world-open rule still open a day later would be a zombie-rule finding).
 */
export function benchRecords(count: number, slot: number, prefix: string): Record<string, unknown>[] {
  const base = Date.UTC(2026, 2, 1) + slot * 3_600_000;
  return Array.from({ length: count }, (_, index) => {
    const id = `${prefix}-${index}`;
    const account = String(200_000_000_000 + slot * 10_000 + index);
    const user = { ...identity.user(`user-${id}`), accountId: account, arn: `arn:aws:iam::${account}:user/user-${id}` };
    const time = new Date(base + index * 1000).toISOString().replace(".000Z", "Z");
    const options = { user, time, eventId: `bench-${id}` };
    const record =
      index % 3 === 0
        ? authorizeIngress(
            `sg-${(slot * 10_000 + index).toString(16).padStart(17, "0")}`,
            [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }],
            options,
          )
        : index % 3 === 1
          ? s3("PutBucketPolicy", `bucket-${id}`, { policy: publicReadPolicy(`bucket-${id}`) }, options)
          : cloudtrail("StopLogging", { name: `trail-${id}` }, options);
    return { ...record, recipientAccountId: account };
  });
}

/**
 * One `POST /api/events` of `record` (over `agent`, or a connection of its own); resolves with
 * the status code and the answer's text, rejects when the request fails.
 */
export function postRecord(
  url: URL,
  token: string,
  record: unknown,
  agent?: Agent,
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ Records: [record] });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent: agent ?? false,
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/api/events",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
