import { batch, createSignal } from "solid-js";
import { createStore, produce, reconcile, unwrap } from "solid-js/store";
import type { IncidentSummary } from "../../../core/model/incident.js";
import type { LiveMessage } from "../../../core/model/messages.js";
import type { ApiClient } from "../lib/api.js";

/**
 * Every incident the dashboard knows, as list summaries. Filled by a paged REST sync (on start and
 * after every reconnect) and kept current by live messages. Writes are reconciled by `version`:
 * a message or page older than what the store holds is ignored, so a slow page cannot undo a
 * newer live change, and a replayed message is a no-op.
 */

export interface IncidentsState {
  items: IncidentSummary[];
  syncing: boolean;
  /** Set once a full sync completed. */
  syncedAt?: string;
  error?: string;
}

export interface IncidentsStore {
  state: IncidentsState;
  /** Bumps on every write; list views key their (unwrapped, fast) filtering on it. */
  revision: () => number;
  get(id: string): IncidentSummary | undefined;
  /** Raw summaries (not reactive proxies), for bulk filtering and sorting. */
  raw(): readonly IncidentSummary[];
  /** Load every page; concurrent calls coalesce into one extra pass. */
  sync(): Promise<void>;
  /** Apply one live message; returns the summary that was created, if any. */
  apply(message: LiveMessage): { created?: IncidentSummary; unknownId?: string };
  /** Insert or update one summary if it is newer than the stored one. */
  upsert(summary: IncidentSummary): boolean;
}

export interface IncidentsOptions {
  api: ApiClient;
  pageSize?: number;
  /** Stop paging after this many incidents (the list says so). */
  maxIncidents?: number;
}

export function createIncidents(options: IncidentsOptions): IncidentsStore {
  const pageSize = options.pageSize ?? 1000;
  const maxIncidents = options.maxIncidents ?? 50_000;
  const [state, setState] = createStore<IncidentsState>({ items: [], syncing: false });
  const [revision, setRevision] = createSignal(0);
  const indexById = new Map<string, number>();
  // Ids whose stored summary came partly from a change message (status only): a REST summary of
  // the same version is still worth taking, for the fields the message did not carry.
  const partial = new Set<string>();
  const bump = () => setRevision((value) => value + 1);

  function upsertOne(summary: IncidentSummary): boolean {
    const index = indexById.get(summary.id);
    if (index === undefined) {
      indexById.set(summary.id, state.items.length);
      setState("items", state.items.length, summary);
      return true;
    }
    const current = unwrap(state.items)[index]!;
    if (summary.version < current.version) return false;
    if (summary.version === current.version && !partial.has(summary.id)) return false;
    partial.delete(summary.id);
    setState("items", index, reconcile(summary));
    return true;
  }

  let running: Promise<void> | undefined;
  let again = false;

  async function syncOnce(): Promise<void> {
    setState({ syncing: true, error: undefined });
    try {
      let cursor: string | undefined;
      let loaded = 0;
      do {
        const page = await options.api.listIncidents({ limit: pageSize, cursor });
        batch(() => {
          let changed = false;
          for (const summary of page.items) changed = upsertOne(summary) || changed;
          if (changed) bump();
        });
        loaded += page.items.length;
        cursor = page.nextCursor;
      } while (cursor && loaded < maxIncidents);
      setState({ syncing: false, syncedAt: new Date().toISOString() });
    } catch (error) {
      setState({ syncing: false, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  function sync(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await syncOnce();
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    state,
    revision,
    get: (id) => {
      const index = indexById.get(id);
      return index === undefined ? undefined : state.items[index];
    },
    raw: () => unwrap(state.items),
    sync,
    upsert(summary) {
      const changed = upsertOne(summary);
      if (changed) bump();
      return changed;
    },
    apply(message) {
      if (message.type === "incident.created") {
        const known = indexById.has(message.incident.id);
        if (!upsertOne(message.incident)) return {};
        bump();
        return known ? {} : { created: message.incident };
      }
      if (message.type !== "incident.changed") return {};
      const index = indexById.get(message.id);
      if (index === undefined) return { unknownId: message.id };
      const current = unwrap(state.items)[index]!;
      if (message.version <= current.version) return {};
      partial.add(message.id);
      setState(
        "items",
        index,
        produce((item) => {
          item.status = message.status;
          item.version = message.version;
          item.updatedAt = message.at;
        }),
      );
      bump();
      return {};
    },
  };
}
