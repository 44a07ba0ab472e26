import { describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../model/exception.js";
import type { IncidentStatus } from "../../model/status.js";
import type { RiposteStore, StoreChange } from "../ports.js";
import { summarize } from "../summary.js";
import { HOSTILE_TEXT, makeIncident } from "./fixtures.js";

/**
 * The one contract every store passes (memory, SQLite on a real file, DynamoDB on a real
 * DynamoDB-compatible server). `open()` gives a fresh, empty store; `peer()` a second handle on the
 * same data (another connection or client), so concurrent writers are real.
 */
export interface StoreHarness {
  store: RiposteStore;
  peer(): RiposteStore;
  close(): Promise<void>;
  /**
   * Resolves once the changes of every write so far have been emitted, for a store that emits
   * after its write resolves (SQLite: after the sync point that makes the write durable).
   */
  delivered?(): Promise<void>;
}

/** The harness's `delivered`, or nothing to wait for. */
const deliveredOf = (harness: StoreHarness) => () => harness.delivered?.() ?? Promise.resolve();

const at = (second: number) => new Date(Date.UTC(2026, 1, 1, 0, 0, second)).toISOString();

function recordChanges(store: RiposteStore): StoreChange[] {
  const changes: StoreChange[] = [];
  store.subscribe((change) => changes.push(change));
  return changes;
}

export interface ContractOptions {
  /**
   * Whether the backend applies a conditional write atomically under concurrent requests, as
   * DynamoDB, SQLite and dynalite (per-key locks) do. moto's threaded server checks the
   * condition and writes in separate steps without a lock, so racing writers can both win there;
   * the race tests are skipped for it rather than written to its quirk.
   */
  atomicConditionalWrites?: boolean;
}

export function describeRiposteStoreContract(
  label: string,
  open: () => Promise<StoreHarness>,
  options: ContractOptions = {},
): void {
  const racing = it.skipIf(options.atomicConditionalWrites === false);
  describe(`${label}: incidents`, () => {
    it("creates an incident once and returns the stored one on a duplicate", async () => {
      const { store, close } = await open();
      const changes = recordChanges(store);
      const incident = makeIncident();

      const first = await store.createIncident(incident);
      const second = await store.createIncident({ ...incident, title: "a different title" });
      const stored = await store.getIncident(incident.id);
      await close();

      expect(first).toEqual({ incident, created: true });
      expect(second).toEqual({ incident, created: false });
      expect(stored).toEqual(incident);
      expect(changes.map((change) => change.type)).toEqual(["incident.created"]);
    });

    it("returns undefined for an unknown incident", async () => {
      const { store, close } = await open();

      const missing = await store.getIncident("no-such-incident");
      await close();

      expect(missing).toBeUndefined();
    });

    it("keeps attacker-controlled text and large evidence exactly as written", async () => {
      const { store, close } = await open();
      const evidence = Array.from({ length: 300 }, (_, index) => ({
        eventID: `e-${index}`,
        userAgent: `${HOSTILE_TEXT} ${"x".repeat(2000)}`,
        requestParameters: { ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }] } },
      }));
      const incident = makeIncident({ title: HOSTILE_TEXT, summary: HOSTILE_TEXT, principal: HOSTILE_TEXT, evidence });

      await store.createIncident(incident);
      const stored = await store.getIncident(incident.id);
      const listed = await store.listIncidents({ text: "drop table" });
      await close();

      expect(stored).toEqual(incident);
      expect(listed.items.map((item) => item.title)).toEqual([HOSTILE_TEXT]);
    });

    it("applies a forward transition with its patch, bumps the version and emits the change", async () => {
      const harness = await open();
      const { store, close } = harness;
      const incident = makeIncident();
      await store.createIncident(incident);
      await deliveredOf(harness)();
      const changes = recordChanges(store);
      const score = {
        value: 72,
        priority: "P2" as const,
        factors: [{ id: "world-open", label: "open to all", points: 40 }],
      };

      const result = await store.transition(
        incident.id,
        "TRIAGED",
        { at: at(5), by: "score", reason: "scored" },
        { score },
      );
      const stored = await store.getIncident(incident.id);
      await close();

      expect(result.applied).toBe(true);
      expect(result.incident).toEqual(stored);
      expect(stored).toMatchObject({ status: "TRIAGED", version: 2, updatedAt: at(5), score });
      expect(stored?.transitions.at(-1)).toEqual({
        from: "NEW",
        to: "TRIAGED",
        at: at(5),
        by: "score",
        reason: "scored",
      });
      expect(changes).toEqual([{ type: "incident.changed", incident: stored, previousStatus: "NEW" }]);
    });

    it("refuses a transition that would regress or repeat a status, without writing", async () => {
      const harness = await open();
      const { store, close } = harness;
      const incident = makeIncident();
      await store.createIncident(incident);
      await store.transition(incident.id, "MITIGATED", { at: at(1), by: "record" });
      await deliveredOf(harness)();
      const changes = recordChanges(store);

      const late = await store.transition(
        incident.id,
        "PROCESSING",
        { at: at(2), by: "remediate" },
        { executionArn: "x" },
      );
      const repeat = await store.transition(incident.id, "MITIGATED", { at: at(3), by: "record" });
      const stored = await store.getIncident(incident.id);
      await close();

      expect(late.applied).toBe(false);
      expect(repeat.applied).toBe(false);
      expect(late.incident).toEqual(stored);
      expect(stored).toMatchObject({ status: "MITIGATED", version: 2, updatedAt: at(1) });
      expect(stored?.executionArn).toBeUndefined();
      expect(changes).toEqual([]);
    });

    it("names the missing incident when a write targets an unknown id", async () => {
      const { store, close } = await open();

      await expect(store.transition("ghost", "TRIAGED", { at: at(1), by: "score" })).rejects.toMatchObject({
        name: "NotFound",
        message: expect.stringContaining("ghost"),
      });
      await expect(store.patchIncident("ghost", { executionArn: "arn" })).rejects.toMatchObject({ name: "NotFound" });
      await close();
    });

    it("patches non-status fields only, bumping the version every time", async () => {
      const harness = await open();
      const { store, close } = harness;
      const incident = makeIncident();
      await store.createIncident(incident);
      await deliveredOf(harness)();
      const changes = recordChanges(store);

      await store.patchIncident(incident.id, { executionArn: "arn:aws:states:local:execution:network:x" });
      const patched = await store.patchIncident(incident.id, {
        notifications: { slack: { channel: "C1", ts: "1.2" } },
        status: "MITIGATED",
        version: 99,
      } as never);
      await close();

      expect(patched).toMatchObject({
        status: "NEW",
        version: 3,
        updatedAt: incident.updatedAt,
        executionArn: "arn:aws:states:local:execution:network:x",
        notifications: { slack: { channel: "C1", ts: "1.2" } },
      });
      expect(changes.map((change) => [change.type, change.incident.version])).toEqual([
        ["incident.changed", 2],
        ["incident.changed", 3],
      ]);
    });

    racing(
      "never regresses a status under concurrent writers, and every applied write gets its own version",
      async () => {
        const { store, peer, close } = await open();
        const other = peer();
        const incident = makeIncident();
        await store.createIncident(incident);
        const targets: IncidentStatus[] = [
          "TRIAGED",
          "AWAITING_APPROVAL",
          "PROCESSING",
          "MITIGATED",
          "PROCESSING",
          "TRIAGED",
        ];

        const results = await Promise.all(
          targets.flatMap((to, index) => [
            store.transition(incident.id, to, { at: at(10 + index), by: `writer-a-${index}` }),
            other.transition(incident.id, to, { at: at(10 + index), by: `writer-b-${index}` }),
          ]),
        );
        const stored = await store.getIncident(incident.id);
        await close();

        const applied = results.filter((result) => result.applied);
        expect(stored?.status).toBe("MITIGATED");
        expect(stored?.version).toBe(1 + applied.length);
        expect(new Set(applied.map((result) => result.incident.version)).size).toBe(applied.length);
        const chain = stored?.transitions ?? [];
        expect(chain).toHaveLength(1 + applied.length);
        for (let index = 1; index < chain.length; index++) expect(chain[index]?.from).toBe(chain[index - 1]?.to);
      },
    );

    it("refuses a late retry to PROCESSING from another writer once MITIGATED", async () => {
      const { store, peer, close } = await open();
      const other = peer();
      const incident = makeIncident();
      await store.createIncident(incident);
      await store.transition(incident.id, "PROCESSING", { at: at(1), by: "remediate" });

      await store.transition(incident.id, "MITIGATED", { at: at(2), by: "record" });
      const retry = await other.transition(incident.id, "PROCESSING", { at: at(3), by: "remediate-retry" });
      const stored = await other.getIncident(incident.id);
      await close();

      expect(retry.applied).toBe(false);
      expect(stored?.status).toBe("MITIGATED");
    });

    racing("loses no field when writers patch different fields at the same time", async () => {
      const { store, peer, close } = await open();
      const other = peer();
      const incident = makeIncident();
      await store.createIncident(incident);
      const score = { value: 50, priority: "P3" as const, factors: [] };

      await Promise.all([
        store.patchIncident(incident.id, { executionArn: "arn:x" }),
        other.patchIncident(incident.id, { score }),
        store.transition(incident.id, "TRIAGED", { at: at(1), by: "score" }, { resolvedBy: "other-incident" }),
        other.patchIncident(incident.id, { verification: { verified: true, checks: [] } }),
      ]);
      const stored = await store.getIncident(incident.id);
      await close();

      expect(stored).toMatchObject({
        status: "TRIAGED",
        version: 5,
        executionArn: "arn:x",
        score,
        resolvedBy: "other-incident",
        verification: { verified: true, checks: [] },
      });
    });

    it("emits each change after it is durable, in write order", async () => {
      const { store, peer, close } = await open();
      const other = peer();
      const incident = makeIncident();
      const seenByPeer: Promise<number | undefined>[] = [];
      const changes: StoreChange[] = [];
      store.subscribe((change) => {
        changes.push(change);
        seenByPeer.push(other.getIncident(change.incident.id).then((stored) => stored?.version));
      });

      await store.createIncident(incident);
      await store.transition(incident.id, "TRIAGED", { at: at(1), by: "score" });
      await store.patchIncident(incident.id, { executionArn: "arn:y" });
      await store.transition(incident.id, "MITIGATED", { at: at(2), by: "record" });
      const versionsSeen = await Promise.all(seenByPeer);
      await close();

      expect(changes.map((change) => change.incident.version)).toEqual([1, 2, 3, 4]);
      expect(versionsSeen.every((version, index) => version !== undefined && version >= index + 1)).toBe(true);
    });

    it("gives each listener a copy of its own, equal to what a read returns", async () => {
      const harness = await open();
      const { store, close } = harness;
      const first: StoreChange[] = [];
      const second: StoreChange[] = [];
      store.subscribe((change) => {
        first.push(change);
        change.incident.title = "changed by the first listener";
        change.incident.transitions.length = 0;
      });
      store.subscribe((change) => second.push(change));
      const incident = makeIncident();

      const created = await store.createIncident(incident);
      created.incident.title = "changed by the writer";
      const { incident: moved } = await store.transition(incident.id, "TRIAGED", { at: at(1), by: "score" });
      moved.summary = "changed by the writer";
      await deliveredOf(harness)();
      const stored = await store.getIncident(incident.id);
      await close();

      expect(second.map((change) => change.type)).toEqual(["incident.created", "incident.changed"]);
      expect(second[0]?.incident.title).toBe(incident.title);
      expect(second[1]?.incident).toEqual(stored);
      expect(second[1]).toMatchObject({ previousStatus: incident.status });
      expect(first[1]?.incident.title).toBe("changed by the first listener");
    });

    it("keeps writing when a listener throws, and stops notifying after unsubscribe", async () => {
      const harness = await open();
      const { store, close } = harness;
      const seen: string[] = [];
      store.subscribe(() => {
        throw new Error("listener bug");
      });
      const unsubscribe = store.subscribe((change) => seen.push(change.type));
      const incident = makeIncident();

      await store.createIncident(incident);
      await deliveredOf(harness)();
      unsubscribe();
      const result = await store.transition(incident.id, "TRIAGED", { at: at(1), by: "score" });
      await close();

      expect(result.applied).toBe(true);
      expect(seen).toEqual(["incident.created"]);
    });
  });

  describe(`${label}: listing`, () => {
    async function seed(store: RiposteStore) {
      const incidents = [
        makeIncident({ createdAt: at(1), severity: "low", title: "first" }),
        makeIncident({
          createdAt: at(2),
          category: "storage",
          detection: "s3-bucket-acl-public",
          resource: "my-bucket",
        }),
        makeIncident({ createdAt: at(2), severity: "critical", principal: "arn:aws:iam::123456789012:root" }),
        makeIncident({ createdAt: at(3), summary: "Mallory Used The Console", sourceIp: "198.51.100.9" }),
        makeIncident({ createdAt: at(4), category: "identity", detection: "root-account-usage" }),
        makeIncident({ createdAt: at(4), resource: "sg-other" }),
        makeIncident({ createdAt: at(5) }),
      ];
      for (const incident of incidents) await store.createIncident(incident);
      await store.transition(incidents[1]!.id, "TRIAGED", { at: at(6), by: "score" });
      await store.transition(incidents[3]!.id, "MITIGATED", { at: at(7), by: "record" });
      return incidents;
    }

    it("lists newest first and pages through every incident exactly once", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);

      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listIncidents({ limit: 2, cursor });
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      await close();

      const expected = [...incidents]
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
        .map((incident) => incident.id);
      expect(ids).toEqual(expected);
      expect(pages).toBe(4);
    });

    it("pages through many incidents in small pages, newest first, each exactly once (sharded indexes)", async () => {
      const { store, close } = await open();
      // Many incidents sharing creation times, so pages end inside a group of equal times.
      const incidents = Array.from({ length: 40 }, (_, index) =>
        makeIncident({ createdAt: at(Math.floor(index / 3)), status: index % 4 === 0 ? "TRIAGED" : "NEW" }),
      );
      for (const incident of incidents) await store.createIncident(incident);
      const pageThrough = async (query: Parameters<RiposteStore["listIncidents"]>[0]) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 100; page++) {
          const result = await store.listIncidents({ ...query, limit: 3, cursor });
          ids.push(...result.items.map((item) => item.id));
          cursor = result.nextCursor;
          if (!cursor) break;
        }
        return ids;
      };
      const newestFirst = (list: typeof incidents) =>
        [...list]
          .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
          .map((incident) => incident.id);

      const all = await pageThrough({});
      const fresh = await pageThrough({ status: ["NEW"] });
      await close();

      expect(all).toEqual(newestFirst(incidents));
      expect(fresh).toEqual(newestFirst(incidents.filter((incident) => incident.status === "NEW")));
    });

    it("returns list items as the summary projection of the stored incident", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);

      const page = await store.listIncidents({ status: ["MITIGATED"] });
      const stored = await store.getIncident(incidents[3]!.id);
      await close();

      expect(page.items).toEqual([summarize(stored!)]);
      expect(page.items[0]?.respondedAt).toBe(at(7));
      expect(page.nextCursor).toBeUndefined();
    });

    it("filters by status, category, severity, time, resource, principal and text", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);
      const idsOf = async (query: Parameters<RiposteStore["listIncidents"]>[0]) =>
        (await store.listIncidents(query)).items.map((item) => item.id).sort();
      const sortedIds = (...indexes: number[]) => indexes.map((index) => incidents[index]!.id).sort();

      const byStatus = await idsOf({ status: ["TRIAGED", "MITIGATED"] });
      const byCategory = await idsOf({ category: ["storage", "identity"] });
      const bySeverity = await idsOf({ severity: ["critical", "low"] });
      const byTime = await idsOf({ since: at(2), until: at(3) });
      const byResource = await idsOf({ resource: "my-bucket" });
      const byPrincipal = await idsOf({ principal: "arn:aws:iam::123456789012:root" });
      const byText = await idsOf({ text: "mallory used" });
      const bySourceIp = await idsOf({ text: "198.51.100" });
      const combined = await idsOf({ status: ["NEW"], since: at(4), category: ["network"] });
      await close();

      expect(byStatus).toEqual(sortedIds(1, 3));
      expect(byCategory).toEqual(sortedIds(1, 4));
      expect(bySeverity).toEqual(sortedIds(0, 2));
      expect(byTime).toEqual(sortedIds(1, 2, 3));
      expect(byResource).toEqual(sortedIds(1));
      expect(byPrincipal).toEqual(sortedIds(2));
      expect(byText).toEqual(sortedIds(3));
      expect(bySourceIp).toEqual(sortedIds(3));
      expect(combined).toEqual(sortedIds(5, 6));
    });

    it("pages through a filtered list without skipping matches", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);

      const first = await store.listIncidents({ status: ["NEW"], limit: 2 });
      const second = await store.listIncidents({ status: ["NEW"], limit: 2, cursor: first.nextCursor });
      const third = await store.listIncidents({ status: ["NEW"], limit: 2, cursor: second.nextCursor });
      await close();

      const ids = [...first.items, ...second.items, ...third.items].map((item) => item.id).sort();
      expect(ids).toEqual([0, 2, 4, 5, 6].map((index) => incidents[index]!.id).sort());
      expect(third.nextCursor).toBeUndefined();
    });

    it("pages one by one through a text search", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);

      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.listIncidents({ text: "203.0.113", limit: 1, cursor });
        ids.push(...result.items.map((item) => item.id));
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      await close();

      expect(ids.sort()).toEqual([0, 1, 2, 4, 5, 6].map((index) => incidents[index]!.id).sort());
    });

    it("keeps a cursor valid while newer incidents arrive", async () => {
      const { store, close } = await open();
      const incidents = await seed(store);

      const first = await store.listIncidents({ limit: 3 });
      await store.createIncident(makeIncident({ createdAt: at(59) }));
      const rest = await store.listIncidents({ limit: 100, cursor: first.nextCursor });
      await close();

      expect(first.items.length + rest.items.length).toBe(incidents.length);
      expect(rest.items.some((item) => item.createdAt === at(59))).toBe(false);
    });

    it("rejects a cursor it did not issue", async () => {
      const { store, close } = await open();

      const listing = store.listIncidents({ cursor: "not-a-cursor" });
      await expect(listing).rejects.toMatchObject({ name: "InvalidInput" });
      await close();
    });

    it("caps the page size", async () => {
      const { store, close } = await open();
      await seed(store);

      const page = await store.listIncidents({ limit: 0 });
      await close();

      expect(page.items).toHaveLength(1);
      expect(page.nextCursor).toBeDefined();
    });
  });

  describe(`${label}: audit trail`, () => {
    it("lists an incident's entries oldest first, keeping append order for equal times", async () => {
      const { store, close } = await open();
      const detail = { calls: [{ service: "ec2", operation: "RevokeSecurityGroupIngress" }], note: HOSTILE_TEXT };

      await store.appendAudit({ incidentId: "a", at: at(2), actor: "remediate", action: "action.applied", detail });
      await store.appendAudit({ incidentId: "a", at: at(1), actor: "score", action: "status.changed" });
      await store.appendAudit({ incidentId: "b", at: at(1), actor: "open", action: "status.changed" });
      await store.appendAudit({ incidentId: "a", at: at(2), actor: "verify", action: "verify.passed" });
      const entries = await store.listAudit("a");
      const none = await store.listAudit("nobody");
      await close();

      expect(entries).toEqual([
        { incidentId: "a", at: at(1), actor: "score", action: "status.changed" },
        { incidentId: "a", at: at(2), actor: "remediate", action: "action.applied", detail },
        { incidentId: "a", at: at(2), actor: "verify", action: "verify.passed" },
      ]);
      expect(none).toEqual([]);
    });

    it("appends the audit entry given with a write only when the write applies", async () => {
      const { store, close } = await open();
      const incident = makeIncident();
      const entry = (action: string, time: number) => ({
        at: at(time),
        actor: "score",
        action,
        detail: { note: HOSTILE_TEXT },
      });

      const created = await store.createIncident(incident, entry("created", 0));
      const again = await store.createIncident(incident, entry("created again", 0));
      const moved = await store.transition(incident.id, "TRIAGED", { at: at(1), by: "score" }, {}, entry("triaged", 1));
      const refused = await store.transition(incident.id, "NEW", { at: at(2), by: "x" }, {}, entry("regressed", 2));
      await store.patchIncident(incident.id, { executionArn: "arn:x" }, entry("patched", 3));
      const entries = await store.listAudit(incident.id);
      await close();

      expect([created.created, again.created, moved.applied, refused.applied]).toEqual([true, false, true, false]);
      expect(entries).toEqual([
        { incidentId: incident.id, ...entry("created", 0) },
        { incidentId: incident.id, ...entry("triaged", 1) },
        { incidentId: incident.id, ...entry("patched", 3) },
      ]);
    });
  });

  describe(`${label}: approvals`, () => {
    const pending = (id: string, createdAt = at(1)) => ({
      id,
      incidentId: `incident-of-${id}`,
      taskToken: `token-${id}`,
      createdAt,
      expiresAt: at(3600),
      status: "pending" as const,
    });
    const result = { decision: "approve" as const, approver: "U123", at: at(9), comment: HOSTILE_TEXT };

    it("stores, decides once and reports a second decision as not applied", async () => {
      const { store, close } = await open();
      await store.putApproval(pending("ap-1"));

      const first = await store.decideApproval("ap-1", "approved", result);
      const second = await store.decideApproval("ap-1", "rejected", { ...result, decision: "reject" });
      const stored = await store.getApproval("ap-1");
      await close();

      expect(first).toEqual({ approval: { ...pending("ap-1"), status: "approved", result }, applied: true });
      expect(second).toEqual({ approval: first.approval, applied: false });
      expect(stored).toEqual(first.approval);
    });

    racing("lets exactly one of two racing decisions win", async () => {
      const { store, peer, close } = await open();
      const other = peer();
      await store.putApproval(pending("ap-race"));

      const outcomes = await Promise.all([
        store.decideApproval("ap-race", "approved", result),
        other.decideApproval("ap-race", "rejected", { ...result, decision: "reject" }),
        other.decideApproval("ap-race", "expired", { ...result, approver: "timeout" }),
      ]);
      const stored = await store.getApproval("ap-race");
      await close();

      const winners = outcomes.filter((outcome) => outcome.applied);
      expect(winners).toHaveLength(1);
      expect(stored).toEqual(winners[0]?.approval);
      for (const outcome of outcomes) expect(outcome.approval).toEqual(stored);
    });

    it("lists only pending approvals, oldest first, and names an unknown approval", async () => {
      const { store, close } = await open();
      await store.putApproval(pending("ap-b", at(2)));
      await store.putApproval(pending("ap-a", at(1)));
      await store.putApproval(pending("ap-c", at(3)));
      await store.decideApproval("ap-c", "expired", { ...result, approver: "timeout" });

      const listed = await store.listPendingApprovals();
      const missing = await store.getApproval("ap-none");
      await expect(store.decideApproval("ap-none", "approved", result)).rejects.toMatchObject({ name: "NotFound" });
      await close();

      expect(listed.map((approval) => approval.id)).toEqual(["ap-a", "ap-b"]);
      expect(missing).toBeUndefined();
    });

    it("writes a resume record with a decision for the workflow, lists it until cleared, and clears once", async () => {
      const { store, close } = await open();
      await store.putApproval(pending("ap-r2", at(2)));
      await store.putApproval(pending("ap-r1", at(1)));
      await store.putApproval(pending("ap-plain", at(3)));
      await store.putApproval(pending("ap-late", at(4)));

      const decided = await store.decideApproval("ap-r2", "approved", result, { resume: true, via: "slack" });
      await store.decideApproval("ap-r1", "rejected", { ...result, decision: "reject" }, { resume: true });
      await store.decideApproval("ap-plain", "expired", { ...result, approver: "timeout" });
      await store.decideApproval("ap-late", "expired", { ...result, approver: "timeout" });
      const lost = await store.decideApproval("ap-late", "approved", result, { resume: true });
      const before = await store.listApprovalsToResume();
      await store.clearApprovalResume("ap-r2");
      await store.clearApprovalResume("ap-r2");
      await store.clearApprovalResume("ap-none");
      const after = await store.listApprovalsToResume();
      const cleared = await store.getApproval("ap-r2");
      await close();

      expect(decided).toEqual({
        approval: { ...pending("ap-r2", at(2)), status: "approved", result, via: "slack", resumePending: true },
        applied: true,
      });
      expect(lost.applied).toBe(false);
      expect(before.map((approval) => approval.id)).toEqual(["ap-r1", "ap-r2"]);
      expect(before[1]).toEqual(decided.approval);
      expect(after.map((approval) => approval.id)).toEqual(["ap-r1"]);
      expect(cleared).toEqual({ ...pending("ap-r2", at(2)), status: "approved", result, via: "slack" });
    });
  });

  describe(`${label}: exceptions`, () => {
    const exception = (id: string, expiresAt: string, overrides: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
      id,
      detection: "sg-ssh-open-world",
      scope: { kind: "principal", value: `arn:aws:iam::123456789012:user/${HOSTILE_TEXT}` },
      owner: "platform-team",
      reason: HOSTILE_TEXT,
      createdAt: at(0),
      expiresAt,
      createdBy: "slack:U0APPROVER",
      source: "slack",
      ...overrides,
    });

    it("stores an exception once and returns the stored one on a duplicate", async () => {
      const { store, peer, close } = await open();
      const original = exception("ex-1", at(30), { scope: { kind: "tag", key: "team", value: "" } });

      const first = await store.putException(original);
      const second = await peer().putException({ ...original, owner: "someone else" });
      const read = await store.getException("ex-1");
      const missing = await store.getException("ex-none");
      await close();

      expect(first).toEqual({ exception: original, created: true });
      expect(second).toEqual({ exception: original, created: false });
      expect(read).toEqual(original);
      expect(missing).toBeUndefined();
    });

    it("lists the latest expiry first, and only those holding at a time when asked", async () => {
      const { store, close } = await open();
      await store.putException(exception("ex-early", at(10)));
      await store.putException(exception("ex-late", at(50), { source: "dashboard", createdBy: "dashboard:alice" }));
      await store.putException(exception("ex-mid", at(30), { scope: { kind: "cidr", value: "203.0.113.0/24" } }));

      const all = await store.listExceptions();
      const holding = await store.listExceptions({ activeAt: at(30) });
      await close();

      expect(all.map((item) => item.id)).toEqual(["ex-late", "ex-mid", "ex-early"]);
      // An exception holds until its expiry, exclusive.
      expect(holding.map((item) => item.id)).toEqual(["ex-late"]);
    });

    it("marks an expiry announced exactly once, also across handles", async () => {
      const { store, peer, close } = await open();
      await store.putException(exception("ex-1", at(10)));

      const first = await store.markExceptionAnnounced("ex-1", at(11));
      const again = await peer().markExceptionAnnounced("ex-1", at(12));
      const unknown = await store.markExceptionAnnounced("ex-none", at(12));
      const read = await store.getException("ex-1");
      await close();

      expect(first).toEqual({ applied: true });
      expect(again).toEqual({ applied: false });
      expect(unknown).toEqual({ applied: false });
      expect(read).toEqual({ ...exception("ex-1", at(10)), expiryAnnouncedAt: at(11) });
    });
  });
}
