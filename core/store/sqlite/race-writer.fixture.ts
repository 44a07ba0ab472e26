// Test fixture: one of several processes racing status changes on the same SQLite file.
// Usage: node --import tsx race-writer.fixture.ts <file> forward|backward
import type { IncidentStatus } from "../../model/status.js";
import { SqliteStore } from "./store.js";

const [file, order] = process.argv.slice(2);
const store = new SqliteStore({ file: file!, busyTimeoutMs: 30_000 });
const forward: IncidentStatus[] = ["TRIAGED", "AWAITING_APPROVAL", "PROCESSING", "MITIGATED"];
const targets = order === "backward" ? [...forward].reverse() : forward;
const { items } = await store.listIncidents({ limit: 1000 });
for (let round = 0; round < 3; round++) {
  for (const to of targets) {
    for (const item of items) {
      await store.transition(item.id, to, { at: new Date().toISOString(), by: `pid-${process.pid}` });
    }
  }
}
store.close();
