import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { NotFound } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { ExceptionRecord } from "../../model/exception.js";
import type { Incident, IncidentSummary } from "../../model/incident.js";
import type { IncidentStatus } from "../../model/status.js";
import type { ApprovalResult } from "../../model/tasks.js";
import { type CursorPosition, compareNewestFirst, decodeCursor, encodeCursor, isAfterCursor } from "../cursor.js";
import { ChangeEmitter } from "../emitter.js";
import { pageLimit } from "../limits.js";
import type {
  AuditDraft,
  AuditEntry,
  ChangeListener,
  DecideOptions,
  IncidentPatch,
  IncidentQuery,
  Page,
  PendingApproval,
  RiposteStore,
  TransitionMeta,
} from "../ports.js";
import { matchesQuery } from "../summary.js";
import { applyPatch, applyTransition, decidedApproval, listedExceptions } from "../writes.js";
import { asStoreError, isConditionFailure } from "./errors.js";
import { type Item, incidentFromItems, incidentItem, incidentToItems, summaryFromItem } from "./items.js";
import {
  APPROVAL_SK,
  APPROVALS_TO_RESUME,
  AUDIT_SK_PREFIX,
  approvalPk,
  EXCEPTION_SK_PREFIX,
  EXCEPTIONS_PK,
  exceptionSk,
  INCIDENT_SK,
  incidentPk,
  listSk,
  PENDING_APPROVALS,
} from "./keys.js";
import { mergeSorted } from "./merge.js";
import { planQuery, type QueryPlan } from "./query-plan.js";

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  logger?: Logger;
  /** How often a write re-reads and retries after losing an optimistic-concurrency race. */
  maxWriteAttempts?: number;
  /** Approval items expire (TTL) this long after the approval itself, once their token is useless. */
  approvalRetentionSeconds?: number;
  /** Exception items expire (TTL) this long after the exception, kept meanwhile for listings and audits. */
  exceptionRetentionSeconds?: number;
}

const BATCH_WRITE_SIZE = 25;

/**
 * The AWS store: one DynamoDB table (key schema in `keys.ts`). Writes are read-modify-write with a
 * condition on `version`, so concurrent Lambdas never regress a status nor lose a field. On AWS,
 * DynamoDB Streams carry every write to the broadcast function; `subscribe` sees this process's
 * own writes only.
 */
export class DynamoStore implements RiposteStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly changes: ChangeEmitter;
  private readonly maxAttempts: number;
  private readonly approvalRetention: number;
  private readonly exceptionRetention: number;
  private auditSequence = 0;

  constructor(options: DynamoStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.table = options.tableName;
    this.changes = new ChangeEmitter(options.logger);
    this.maxAttempts = options.maxWriteAttempts ?? 50;
    this.approvalRetention = options.approvalRetentionSeconds ?? 30 * 24 * 3600;
    this.exceptionRetention = options.exceptionRetentionSeconds ?? 400 * 24 * 3600;
  }

  subscribe(listener: ChangeListener) {
    return this.changes.subscribe(listener);
  }

  private async send<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw asStoreError(error);
    }
  }

  private async queryAll(input: Omit<QueryCommandInput, "TableName">): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start })),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The main item and any evidence chunks, strongly consistent. */
  private async readItems(id: string): Promise<Item[]> {
    return this.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :incident)",
      ExpressionAttributeValues: { ":pk": incidentPk(id), ":incident": INCIDENT_SK },
      ConsistentRead: true,
    });
  }

  async createIncident(incident: Incident, audit?: AuditDraft) {
    const { main, chunks } = incidentToItems(incident);
    // Chunks first: once the main item exists, its evidence is complete.
    for (let index = 0; index < chunks.length; index += BATCH_WRITE_SIZE) {
      await this.writeBatch(chunks.slice(index, index + BATCH_WRITE_SIZE));
    }
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: main, ConditionExpression: "attribute_not_exists(pk)" }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw asStoreError(error);
      const stored = incidentFromItems(await this.readItems(incident.id));
      if (!stored) throw new Error(`incident ${incident.id} exists but could not be read back`);
      return { incident: stored, created: false };
    }
    const created = structuredClone(incident);
    this.changes.emit({ type: "incident.created", incident: created });
    if (audit) await this.appendAudit({ ...audit, incidentId: incident.id });
    return { incident: created, created: true };
  }

  private async writeBatch(items: Item[]): Promise<void> {
    let pending: Item[] = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await pause(attempt);
      if (attempt >= this.maxAttempts) throw new Error("DynamoDB kept returning unprocessed items");
      const result = await this.send(() =>
        this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
        ),
      );
      pending = (result.UnprocessedItems?.[this.table] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [request.PutRequest.Item as Item] : [],
      );
    }
  }

  async getIncident(id: string) {
    return incidentFromItems(await this.readItems(id));
  }

  /**
   * Read, apply the shared write rule, and put the result only if nobody wrote in between
   * (condition on `version`); a lost race re-reads and tries again.
   */
  private async write(
    id: string,
    next: (current: Incident) => Incident | undefined,
  ): Promise<{ incident: Incident; applied: boolean }> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await pause(attempt);
      const items = await this.readItems(id);
      const current = incidentFromItems(items);
      if (!current) throw new NotFound(`incident ${id} does not exist`);
      const updated = next(current);
      if (!updated) return { incident: current, applied: false };
      const chunks = Number(items.find((item) => item.sk === INCIDENT_SK)?.evidenceChunks ?? 0);
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: incidentItem(updated, chunks),
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": current.version },
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) continue;
        throw asStoreError(error);
      }
      this.changes.emit({ type: "incident.changed", incident: updated, previousStatus: current.status });
      return { incident: structuredClone(updated), applied: true };
    }
    throw asStoreError(
      Object.assign(new Error(`incident ${id}: too many concurrent writers`), { name: "ThrottlingException" }),
    );
  }

  async transition(id: string, to: IncidentStatus, meta: TransitionMeta, patch?: IncidentPatch, audit?: AuditDraft) {
    const outcome = await this.write(id, (current) => applyTransition(current, to, meta, patch));
    // A second write, as the caller's own appendAudit was: DynamoDB has no cheaper way to pair them.
    if (outcome.applied && audit) await this.appendAudit({ ...audit, incidentId: id });
    return outcome;
  }

  async patchIncident(id: string, patch: IncidentPatch, audit?: AuditDraft) {
    const { incident } = await this.write(id, (current) => applyPatch(current, patch));
    if (audit) await this.appendAudit({ ...audit, incidentId: id });
    return incident;
  }

  async listIncidents(query: IncidentQuery = {}): Promise<Page<IncidentSummary>> {
    const limit = pageLimit(query.limit);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const plan = planQuery(query, after);
    if (!plan) return { items: [] };
    // The cursor is a position in the one order every partition shares: each resumes after it.
    const partitions = plan.partitions.map((partition) => this.listPartition(plan, partition, query, limit, after));
    const matches: IncidentSummary[] = [];
    for await (const summary of mergeSorted(partitions, compareNewestFirst)) {
      matches.push(summary);
      if (matches.length > limit) break;
    }
    const items = matches.slice(0, limit);
    const last = items.at(-1);
    return matches.length > limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  /** One partition's matches, newest first, read page by page as the merge asks for more. */
  private async *listPartition(
    plan: QueryPlan,
    partition: string,
    query: IncidentQuery,
    limit: number,
    after: CursorPosition | undefined,
  ): AsyncGenerator<IncidentSummary> {
    // DynamoDB counts items before the filter: read wider when a filter or text search drops some.
    // Shards split a page between them: twice a fair share leaves a second read rare.
    const share = Math.ceil((2 * (limit + 1)) / plan.partitions.length);
    const pageSize = plan.filter || query.text ? Math.max(100, Math.ceil(1000 / plan.partitions.length)) : share;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: plan.indexName,
            KeyConditionExpression: plan.keyCondition,
            FilterExpression: plan.filter,
            ExpressionAttributeNames: plan.names,
            ExpressionAttributeValues: { ...plan.values, ":pk": partition },
            ScanIndexForward: false,
            Limit: Math.min(1000, Math.max(10, pageSize)),
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of (page.Items ?? []) as Item[]) {
        const summary = summaryFromItem(item);
        if (after && !isAfterCursor(summary, after)) continue;
        if (!matchesQuery(summary, query)) continue;
        const { summary: _text, ...listed } = summary;
        yield listed;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async appendAudit(entry: AuditEntry) {
    // The sequence keeps entries with the same time in append order (within a process).
    this.auditSequence += 1;
    const sequence = `${process.hrtime.bigint().toString().padStart(20, "0")}${String(this.auditSequence).padStart(8, "0")}`;
    const sk = `${AUDIT_SK_PREFIX}${entry.at}#${sequence}#${randomBytes(4).toString("hex")}`;
    await this.send(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: incidentPk(entry.incidentId), sk, type: "audit", entry: JSON.stringify(entry) },
        }),
      ),
    );
  }

  async listAudit(incidentId: string) {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :audit)",
      ExpressionAttributeValues: { ":pk": incidentPk(incidentId), ":audit": AUDIT_SK_PREFIX },
      ConsistentRead: true,
    });
    return items.map((item) => JSON.parse(item.entry as string) as AuditEntry);
  }

  private approvalItem(approval: PendingApproval): Item {
    const expiresAt = Math.floor(Date.parse(approval.expiresAt) / 1000);
    return {
      pk: approvalPk(approval.id),
      sk: APPROVAL_SK,
      type: "approval",
      status: approval.status,
      incidentId: approval.incidentId,
      approval: JSON.stringify(approval),
      ...(Number.isFinite(expiresAt) ? { expiresAt: expiresAt + this.approvalRetention } : {}),
      ...(approval.status === "pending"
        ? { gsi2pk: PENDING_APPROVALS, listSk: listSk(approval.createdAt, approval.id) }
        : approval.resumePending
          ? { gsi2pk: APPROVALS_TO_RESUME, listSk: listSk(approval.createdAt, approval.id) }
          : {}),
    };
  }

  async putApproval(approval: PendingApproval) {
    await this.send(() => this.doc.send(new PutCommand({ TableName: this.table, Item: this.approvalItem(approval) })));
  }

  async getApproval(id: string) {
    const { Item } = await this.send(() =>
      this.doc.send(
        new GetCommand({ TableName: this.table, Key: { pk: approvalPk(id), sk: APPROVAL_SK }, ConsistentRead: true }),
      ),
    );
    return Item ? (JSON.parse(Item.approval as string) as PendingApproval) : undefined;
  }

  async decideApproval(
    id: string,
    status: Exclude<PendingApproval["status"], "pending">,
    result: ApprovalResult,
    options: DecideOptions = {},
  ) {
    const current = await this.getApproval(id);
    if (!current) throw new NotFound(`approval ${id} does not exist`);
    if (current.status !== "pending") return { approval: current, applied: false };
    const decided = decidedApproval(current, status, result, options);
    // One conditional item write: the decision and its resume record (the item moves from the
    // pending approvals to the ones to resume in the byStatus index) cannot be split by a crash.
    const index = options.resume
      ? {
          expression: "SET #status = :status, approval = :approval, gsi2pk = :resume",
          values: { ":resume": APPROVALS_TO_RESUME },
        }
      : { expression: "SET #status = :status, approval = :approval REMOVE gsi2pk, listSk", values: {} };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: approvalPk(id), sk: APPROVAL_SK },
          UpdateExpression: index.expression,
          ConditionExpression: "#status = :pending",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":status": status,
            ":approval": JSON.stringify(decided),
            ":pending": "pending",
            ...index.values,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw asStoreError(error);
      const winner = await this.getApproval(id);
      if (!winner) throw new NotFound(`approval ${id} does not exist`);
      return { approval: winner, applied: false };
    }
    return { approval: decided, applied: true };
  }

  async listApprovalsToResume() {
    const items = await this.queryAll({
      IndexName: "byStatus",
      KeyConditionExpression: "gsi2pk = :resume",
      ExpressionAttributeValues: { ":resume": APPROVALS_TO_RESUME },
    });
    // The index is eventually consistent: each one is read again before it is trusted.
    const approvals = await Promise.all(
      items.map((item) => this.getApproval((JSON.parse(item.approval as string) as PendingApproval).id)),
    );
    return approvals.filter((approval): approval is PendingApproval => approval?.resumePending === true);
  }

  async clearApprovalResume(id: string) {
    const current = await this.getApproval(id);
    if (!current?.resumePending) return;
    const { resumePending: _, ...cleared } = current;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: approvalPk(id), sk: APPROVAL_SK },
          UpdateExpression: "SET approval = :approval REMOVE gsi2pk, listSk",
          ConditionExpression: "gsi2pk = :resume",
          ExpressionAttributeValues: { ":approval": JSON.stringify(cleared), ":resume": APPROVALS_TO_RESUME },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw asStoreError(error); // already cleared: nothing to do
    }
  }

  async putException(exception: ExceptionRecord) {
    const expiresAt = Math.floor(Date.parse(exception.expiresAt) / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: EXCEPTIONS_PK,
            sk: exceptionSk(exception.id),
            type: "exception",
            doc: JSON.stringify(exception),
            ...(Number.isFinite(expiresAt) ? { expiresAt: expiresAt + this.exceptionRetention } : {}),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { exception: structuredClone(exception), created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw asStoreError(error);
      const stored = await this.getException(exception.id);
      if (!stored) throw error;
      return { exception: stored, created: false };
    }
  }

  async getException(id: string) {
    const { Item } = await this.send(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: EXCEPTIONS_PK, sk: exceptionSk(id) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? (JSON.parse(Item.doc as string) as ExceptionRecord) : undefined;
  }

  async listExceptions(filter: { activeAt?: string } = {}) {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": EXCEPTIONS_PK, ":prefix": EXCEPTION_SK_PREFIX },
      ConsistentRead: true,
    });
    return listedExceptions(
      items.map((item) => JSON.parse(item.doc as string) as ExceptionRecord),
      filter,
    );
  }

  async markExceptionAnnounced(id: string, at: string) {
    const current = await this.getException(id);
    if (!current || current.expiryAnnouncedAt) return { applied: false };
    const announced: ExceptionRecord = { ...current, expiryAnnouncedAt: at };
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: EXCEPTIONS_PK, sk: exceptionSk(id) },
          UpdateExpression: "SET doc = :announced, announcedAt = :at",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(announcedAt)",
          ExpressionAttributeValues: { ":announced": JSON.stringify(announced), ":at": at },
        }),
      );
      return { applied: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw asStoreError(error);
      return { applied: false };
    }
  }

  async listPendingApprovals() {
    const items = await this.queryAll({
      IndexName: "byStatus",
      KeyConditionExpression: "gsi2pk = :pending",
      ExpressionAttributeValues: { ":pending": PENDING_APPROVALS },
    });
    return items
      .map((item) => JSON.parse(item.approval as string) as PendingApproval)
      .filter((approval) => approval.status === "pending");
  }
}

/** Back off with jitter after a lost race or throttled batch: 5–50 ms, growing with attempts. */
function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(50, 5 * 2 ** Math.min(attempt, 4));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
