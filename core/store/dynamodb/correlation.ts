import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { CorrelationStore, DatedMember, PutOptions, StoredItem, Timer } from "../../correlation/store.js";
import { asStoreError, isConditionFailure } from "./errors.js";
import { shardedKey, shardPartitions } from "./keys.js";
import { mergeSorted } from "./merge.js";

/**
 * Correlation state for stateful detections on DynamoDB, in the store's table:
 *
 *   item        pk CORR#<key>          sk ITEM          value (JSON), version, expiresAtMs
 *   set member  pk CORRSET#<key>       sk M#<member>    expiresAtMs, firstSeenMs (null: stored before it existed)
 *   timer       pk CORRTIMER#<id>      sk TIMER         dueAt, dueSk, payload (the live timer)
 *   due entry   pk CORRDUE#<n>         sk <dueAt>#<id>  id (the queue; stale entries are skipped)
 *
 * The queue is split over `SHARDS` partitions by the timer id's shard (`keys.ts`), so a storm of
 * schedules stays under DynamoDB's per-partition write limit; `takeDue` merges them by due time.
 * Entries queued before sharding sit in the bare `CORRDUE` partition, which `takeDue` still reads.
 *
 * Expiry is in event time (`expiresAtMs`, what reads compare with `now`); the table's TTL
 * attribute `expiresAt` (epoch seconds) is set a day later so DynamoDB removes state that is
 * over without ever removing state that a late-delivered event still needs.
 */

const TTL_GRACE_SECONDS = 24 * 3600;
const TIMER_TTL_SECONDS = 30 * 24 * 3600;
const DUE_PK = "CORRDUE";
const DUE_PARTITIONS = shardPartitions(DUE_PK);
const itemKey = (key: string) => ({ pk: `CORR#${key}`, sk: "ITEM" });
const setPk = (key: string) => `CORRSET#${key}`;
const timerKey = (id: string) => ({ pk: `CORRTIMER#${id}`, sk: "TIMER" });
/** Due times sort as fixed-width numbers (epoch milliseconds up to year 318857). */
const dueSk = (dueAt: number, id: string) => `${String(Math.max(0, Math.floor(dueAt))).padStart(16, "0")}#${id}`;
const ttlFor = (expiresAtMs: number, grace: number) => Math.ceil(expiresAtMs / 1000) + grace;

interface RawItem {
  value: string;
  version: number;
  expiresAtMs: number;
}

export class DynamoCorrelationStore implements CorrelationStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
  }

  private async send<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw asStoreError(error);
    }
  }

  private async raw(key: string): Promise<RawItem | undefined> {
    const { Item } = await this.send(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: itemKey(key), ConsistentRead: true })),
    );
    return Item as RawItem | undefined;
  }

  async get<T>(key: string, now: number): Promise<StoredItem<T> | undefined> {
    const item = await this.raw(key);
    if (!item || item.expiresAtMs <= now) return undefined;
    return { value: JSON.parse(item.value) as T, version: item.version, expiresAt: item.expiresAtMs };
  }

  async put<T>(key: string, value: T, options: PutOptions): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const stored = await this.raw(key);
      const live = stored && stored.expiresAtMs > options.now ? stored : undefined;
      if (options.ifVersion !== undefined && (live?.version ?? 0) !== options.ifVersion) return false;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...itemKey(key),
              type: "correlation",
              value: JSON.stringify(value),
              version: (live?.version ?? 0) + 1,
              expiresAtMs: options.expiresAt,
              expiresAt: ttlFor(options.expiresAt, TTL_GRACE_SECONDS),
            },
            // Over exactly what was read: another writer in between makes this fail.
            ...(stored
              ? { ConditionExpression: "version = :read", ExpressionAttributeValues: { ":read": stored.version } }
              : { ConditionExpression: "attribute_not_exists(pk)" }),
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw asStoreError(error);
        if (options.ifVersion !== undefined) return false;
      }
    }
    throw new Error(`correlation state ${key} kept changing under concurrent writers`);
  }

  async delete(key: string): Promise<void> {
    await this.send(() => this.doc.send(new DeleteCommand({ TableName: this.table, Key: itemKey(key) })));
  }

  async addToSet(key: string, members: readonly string[], options: { now: number; expiresAt: number }) {
    const added: string[] = [];
    for (const member of members) {
      try {
        // Only ever extend a member's expiry; the old image says whether it was new (or expired).
        const { Attributes } = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: setPk(key), sk: `M#${member}` },
            UpdateExpression:
              "SET expiresAtMs = :expires, expiresAt = :ttl, setMember = :member, firstSeenMs = if_not_exists(firstSeenMs, :now)",
            ConditionExpression: "attribute_not_exists(expiresAtMs) OR expiresAtMs < :expires",
            ExpressionAttributeValues: {
              ":expires": options.expiresAt,
              ":ttl": ttlFor(options.expiresAt, TTL_GRACE_SECONDS),
              ":member": member,
              ":now": options.now,
            },
            ReturnValues: "ALL_OLD",
          }),
        );
        const previous = Attributes?.expiresAtMs as number | undefined;
        if (previous === undefined || previous <= options.now) added.push(member);
        await this.correctFirstSeen(key, member, Attributes, options.now);
      } catch (error) {
        // A later expiry is already stored: the member is present.
        if (!isConditionFailure(error)) throw asStoreError(error);
      }
    }
    return { added, size: (await this.members(key, options.now)).length };
  }

  /**
   * The rare second write after an add: a member re-added after it expired starts a new run at
   * `now`, and one stored before first-seen times were kept goes back to unknown (null), not `now`.
   */
  private async correctFirstSeen(
    key: string,
    member: string,
    previous: Record<string, unknown> | undefined,
    now: number,
  ): Promise<void> {
    if (!previous) return;
    // What the add left: the stored time, or `now` where there was none (if_not_exists).
    const written = previous.firstSeenMs === undefined ? now : previous.firstSeenMs;
    const wanted = (previous.expiresAtMs as number) <= now ? now : (previous.firstSeenMs ?? null);
    if (written === wanted) return;
    await this.send(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: setPk(key), sk: `M#${member}` },
          UpdateExpression: "SET firstSeenMs = :firstSeen",
          ExpressionAttributeValues: { ":firstSeen": wanted },
        }),
      ),
    );
  }

  async members(key: string, now: number): Promise<string[]> {
    return (await this.datedMembers(key, now)).map((entry) => entry.member);
  }

  async datedMembers(key: string, now: number): Promise<DatedMember[]> {
    const members: DatedMember[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk",
            FilterExpression: "expiresAtMs > :now",
            ExpressionAttributeValues: { ":pk": setPk(key), ":now": now },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const firstSeen = item.firstSeenMs;
        members.push(
          typeof firstSeen === "number"
            ? { member: item.setMember as string, firstSeen }
            : { member: item.setMember as string },
        );
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return members;
  }

  async removeFromSet(key: string, members: readonly string[]): Promise<void> {
    for (const member of members) {
      await this.send(() =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: setPk(key), sk: `M#${member}` } })),
      );
    }
  }

  async schedule(timer: Timer): Promise<void> {
    const sk = dueSk(timer.dueAt, timer.id);
    const expiresAt = ttlFor(timer.dueAt, TIMER_TTL_SECONDS);
    // The queue entry first: a crash in between leaves a stale entry, never a timer that cannot fire.
    await this.send(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: shardedKey(DUE_PK, timer.id), sk, id: timer.id, expiresAt },
        }),
      ),
    );
    await this.send(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...timerKey(timer.id),
            dueAt: timer.dueAt,
            dueSk: sk,
            payload: JSON.stringify(timer.payload ?? null),
            expiresAt,
          },
        }),
      ),
    );
  }

  async cancel(id: string): Promise<void> {
    await this.send(() => this.doc.send(new DeleteCommand({ TableName: this.table, Key: timerKey(id) })));
  }

  async takeDue(upTo: number, limit = Number.POSITIVE_INFINITY): Promise<Timer[]> {
    const taken: Timer[] = [];
    if (limit <= 0) return taken;
    const upper = `${dueSk(upTo, "")}\u{10FFFF}`;
    const queues = DUE_PARTITIONS.map((partition) => this.dueEntries(partition, upper));
    // Earliest first across the shards: due times sort as fixed-width strings.
    for await (const entry of mergeSorted(queues, (a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))) {
      const timer = await this.claim(entry.id, entry.sk);
      await this.send(() =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: entry.pk, sk: entry.sk } })),
      );
      if (timer) taken.push(timer);
      if (taken.length >= limit) break;
    }
    return taken;
  }

  /** One queue partition's entries due by `upper`, earliest first, page by page. */
  private async *dueEntries(partition: string, upper: string): AsyncGenerator<{ pk: string; sk: string; id: string }> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk AND sk <= :upTo",
            ExpressionAttributeValues: { ":pk": partition, ":upTo": upper },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const entry of page.Items ?? []) yield { pk: partition, sk: entry.sk as string, id: entry.id as string };
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Take the live timer for a queue entry exactly once (a conditional delete), or nothing if stale. */
  private async claim(id: string, sk: string): Promise<Timer | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: timerKey(id),
          ConditionExpression: "dueSk = :sk",
          ExpressionAttributeValues: { ":sk": sk },
          ReturnValues: "ALL_OLD",
        }),
      );
      if (!Attributes) return undefined;
      return { id, dueAt: Attributes.dueAt as number, payload: JSON.parse(Attributes.payload as string) };
    } catch (error) {
      // Cancelled, rescheduled, or claimed by another taker.
      if (isConditionFailure(error)) return undefined;
      throw asStoreError(error);
    }
  }

  /** Nothing to do: reads ignore expired state and the table's TTL deletes it. */
  async sweep(_now: number): Promise<number> {
    return 0;
  }
}
