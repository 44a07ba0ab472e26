import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type ActionLedger, type LedgerEntry, normalizeTime } from "../ports.js";
import { asStoreError, isConditionFailure } from "./errors.js";

/**
 * The action ledger on DynamoDB, in the store's table, for the deployed remediation function
 * (every concurrent Lambda shares it, so the circuit breaker counts across them):
 *
 *   recent actions  pk LEDGER#RECENT        sk RECENT          recent: [{ id, at }], version
 *   one action      pk LEDGER#ENTRY#<id>    sk ENTRY           the entry, expirySk
 *   expiring change pk LEDGER#EXPIRING      sk <expiresAt>#<id> the entry (the sweep's queue)
 *
 * `reserve` reads the recent list, drops what is older than the window, and writes it back under
 * a version condition (retrying on a lost race), so two functions cannot both take the last slot.
 * Entries carry the table's TTL (`expiresAt`, epoch seconds) a month after they matter.
 */

const RECENT_KEY = { pk: "LEDGER#RECENT", sk: "RECENT" };
const EXPIRING_PK = "LEDGER#EXPIRING";
const entryKey = (id: string) => ({ pk: `LEDGER#ENTRY#${id}`, sk: "ENTRY" });
const KEEP_SECONDS = 30 * 24 * 3600;
/** The recent list never needs more than this (entries beyond any sane window size). */
const MAX_RECENT = 1000;
const MAX_RACES = 10;

interface Recent {
  recent: { id: string; at: string }[];
  version: number;
}

const ttl = (iso: string) => Math.ceil(Date.parse(iso) / 1000) + KEEP_SECONDS;

export class DynamoActionLedger implements ActionLedger {
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

  private async readRecent(): Promise<Recent> {
    const { Item } = await this.send(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: RECENT_KEY, ConsistentRead: true })),
    );
    return Item
      ? { recent: Item.recent as Recent["recent"], version: Item.version as number }
      : { recent: [], version: 0 };
  }

  /** Write the recent list if nobody wrote it since it was read; false on a lost race. */
  private async writeRecent(recent: Recent["recent"], readVersion: number): Promise<boolean> {
    try {
      await this.send(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...RECENT_KEY, recent: recent.slice(-MAX_RECENT), version: readVersion + 1 },
            ConditionExpression: readVersion === 0 ? "attribute_not_exists(pk)" : "version = :v",
            ...(readVersion === 0 ? {} : { ExpressionAttributeValues: { ":v": readVersion } }),
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async putEntry(entry: LedgerEntry): Promise<void> {
    await this.send(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...entryKey(entry.id), ...entry, expiresAt: ttl(entry.at) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /** Add `entry` to the recent list (unless already there), optionally only while under `limit`. */
  private async admit(entry: LedgerEntry, limit?: { since: string; max: number }) {
    for (let race = 0; race < MAX_RACES; race++) {
      const { recent, version } = await this.readRecent();
      const since = limit?.since ?? "";
      const inWindow = recent.filter((r) => r.at > since);
      if (recent.some((r) => r.id === entry.id)) return { allowed: true, count: inWindow.length };
      if (limit && inWindow.length >= limit.max) return { allowed: false, count: inWindow.length };
      // Entries older than a day are dropped from the list: no window is that long.
      const horizon = new Date(Date.parse(entry.at) - 24 * 3600_000).toISOString();
      const kept = recent.filter((r) => r.at > horizon);
      if (await this.writeRecent([...kept, { id: entry.id, at: entry.at }], version)) {
        await this.putEntry(entry);
        return { allowed: true, count: inWindow.length + 1 };
      }
    }
    throw new Error("the action ledger stayed contended: too many concurrent remediations");
  }

  async reserve(entry: LedgerEntry, limit: { since: string; max: number }) {
    return this.admit(entry, limit);
  }

  async record(entry: LedgerEntry) {
    await this.admit(entry);
  }

  async setExpiry(id: string, when: string, detail?: Record<string, string>) {
    const expiresAt = normalizeTime(when);
    const { Item } = await this.send(() => this.doc.send(new GetCommand({ TableName: this.table, Key: entryKey(id) })));
    if (!Item) return;
    if (typeof Item.expirySk === "string") {
      await this.send(() =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: EXPIRING_PK, sk: Item.expirySk } })),
      );
    }
    const sk = `${expiresAt}#${id}`;
    const entry: LedgerEntry = {
      id,
      at: Item.at,
      action: Item.action,
      target: Item.target,
      incidentId: Item.incidentId,
      expiresAt,
      ...((detail ?? Item.detail) ? { detail: detail ?? Item.detail } : {}),
    };
    await this.send(() =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: EXPIRING_PK, sk, entry, expiresAt: ttl(expiresAt) } }),
      ),
    );
    await this.send(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...Item, expirySk: sk, ...(entry.detail ? { detail: entry.detail } : {}), expiresAt: ttl(expiresAt) },
        }),
      ),
    );
  }

  async due(at: string) {
    const entries: LedgerEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk AND sk <= :upto",
            // "#" sorts after every ISO character, "\uffff" after every id: all entries due at `at`.
            ExpressionAttributeValues: { ":pk": EXPIRING_PK, ":upto": `${normalizeTime(at)}#\uffff` },
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) entries.push(item.entry as LedgerEntry);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return entries;
  }

  async clear(id: string) {
    const { Item } = await this.send(() => this.doc.send(new GetCommand({ TableName: this.table, Key: entryKey(id) })));
    if (typeof Item?.expirySk !== "string") return;
    await this.send(() =>
      this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: EXPIRING_PK, sk: Item.expirySk } })),
    );
  }
}
