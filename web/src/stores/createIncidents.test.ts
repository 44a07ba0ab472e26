import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { createApiClient } from "../lib/api.js";
import { createFakeServer } from "../test/fakeServer.js";
import { summary } from "../test/fixtures.js";
import { createIncidents } from "./createIncidents.js";

function setup(summaries = [summary({ id: "a" }), summary({ id: "b" }), summary({ id: "c" })]) {
  const server = createFakeServer({ summaries });
  const api = createApiClient({ baseUrl: () => "", token: () => "test-token", fetch: server.fetch });
  const store = createRoot(() => createIncidents({ api, pageSize: 2 }));
  return { server, store };
}

describe("createIncidents", () => {
  it("follows cursors until every page is loaded", async () => {
    const { server, store } = setup();

    await store.sync();

    expect(store.state.items.map((item) => item.id)).toEqual(["a", "b", "c"]);
    expect(server.requests.map((request) => request.path)).toEqual([
      "/api/incidents?limit=2",
      "/api/incidents?cursor=2&limit=2",
    ]);
    expect(store.state.syncedAt).toBeDefined();
  });

  it("never lets an older page undo a newer live change", async () => {
    const { store } = setup([summary({ id: "a", status: "TRIAGED", version: 2 })]);
    store.apply({ v: 1, type: "incident.created", incident: summary({ id: "a", status: "NEW", version: 1 }) });
    store.apply({
      v: 1,
      type: "incident.changed",
      id: "a",
      status: "MITIGATED",
      version: 5,
      at: "2026-03-01T10:05:00Z",
    });

    await store.sync();

    expect(store.get("a")).toMatchObject({ status: "MITIGATED", version: 5, updatedAt: "2026-03-01T10:05:00Z" });
  });

  it("reports changes for unknown incidents so they can be fetched", () => {
    const { store } = setup([]);

    const result = store.apply({ v: 1, type: "incident.changed", id: "ghost", status: "TRIAGED", version: 2, at: "x" });

    expect(result).toEqual({ unknownId: "ghost" });
    expect(store.state.items).toHaveLength(0);
  });

  it("reports a created incident once, not on a replay", () => {
    const { store } = setup([]);
    const message = { v: 1 as const, type: "incident.created" as const, incident: summary({ id: "n" }) };

    expect(store.apply(message).created?.id).toBe("n");
    expect(store.apply(message)).toEqual({});
    expect(store.state.items).toHaveLength(1);
  });

  it("coalesces concurrent syncs into one extra pass", async () => {
    const { server, store } = setup([summary({ id: "only" })]);

    await Promise.all([store.sync(), store.sync(), store.sync()]);

    expect(server.requests).toHaveLength(2);
  });
});
