import { type Accessor, batch, createContext, createSignal, type JSX, onCleanup, useContext } from "solid-js";
import type { LiveMessage } from "../../core/model/messages.js";
import { summarize } from "../../core/store/summary.js";
import { type ApiClient, ApiUnauthorized, createApiClient } from "./lib/api.js";
import { createDiagnostics, type DiagnosticsStore } from "./stores/createDiagnostics.js";
import { createHealth, type HealthStore } from "./stores/createHealth.js";
import { createIncidents, type IncidentsStore } from "./stores/createIncidents.js";
import { createLiveConnection, type LiveConnection, type WebSocketFactory } from "./stores/createLiveConnection.js";
import { createSettings, type Settings, type SettingsStore } from "./stores/createSettings.js";
import { createToasts, type ToastsStore } from "./stores/createToasts.js";

/**
 * The app's shared state, created once and handed down through context: settings, the API
 * client, the one live connection, the incident store, toasts and diagnostics. Everything that
 * touches the outside world (fetch, WebSocket, storage, clock) comes in as a dependency, so
 * component tests run the real stores against fakes.
 */

export interface AppDeps {
  fetch?: typeof fetch;
  createSocket?: WebSocketFactory;
  storage?: Storage;
  /** The page's URL, to resolve relative API and WebSocket URLs. */
  pageUrl?: string;
  fragmentToken?: string;
  defaults?: Partial<Settings>;
  now?: () => number;
  staleAfterMs?: number;
  backoffMs?: readonly number[];
  /** How long live messages are gathered before one store update (bursts stay smooth). */
  flushMs?: number;
  /**
   * Quiet time after live changes before a background resync. Change messages carry only the
   * status; the resync brings the rest of each summary (score, priority) and heals any gap.
   */
  settleMs?: number;
  /** Delay before the first REST sync when the live connection has not opened yet. */
  initialSyncDelayMs?: number;
  healthIntervalMs?: number;
  eventTarget?: Pick<EventTarget, "addEventListener" | "removeEventListener">;
}

export interface AppContextValue {
  settings: SettingsStore;
  api: ApiClient;
  live: LiveConnection;
  incidents: IncidentsStore;
  toasts: ToastsStore;
  diagnostics: DiagnosticsStore;
  health: HealthStore;
  /** A clock that ticks every 15 s, for relative times. */
  now: Accessor<number>;
  /** The server refused our token on the last authenticated call. */
  unauthorized: Accessor<boolean>;
  /** Called with the ids of incidents that changed, after each batch of live messages is applied. */
  onIncidentsChanged(listener: (ids: ReadonlySet<string>) => void): () => void;
}

const AppContext = createContext<AppContextValue>();

/** The shared state; only valid under `<AppProvider>`. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp() needs <AppProvider> above it");
  return value;
}

/** Wrap every API method so a 401/403 anywhere raises the "token rejected" banner. */
function watchAuth(api: ApiClient, setUnauthorized: (value: boolean) => void): ApiClient {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(api) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        const result = await method(...args);
        if (name !== "health") setUnauthorized(false);
        return result;
      } catch (error) {
        if (error instanceof ApiUnauthorized) setUnauthorized(true);
        throw error;
      }
    };
  }
  return wrapped as unknown as ApiClient;
}

const TOAST_SEVERITIES = new Set(["high", "critical"]);

export function createAppState(deps: AppDeps = {}): AppContextValue {
  const nowMs = deps.now ?? Date.now;
  const pageUrl = deps.pageUrl ?? globalThis.location?.href ?? "http://localhost/";
  const settings = createSettings({
    storage: deps.storage,
    defaults: deps.defaults,
    fragmentToken: deps.fragmentToken,
  });
  const [unauthorized, setUnauthorized] = createSignal(false);
  const api = watchAuth(
    createApiClient({ baseUrl: () => settings.value.apiUrl, token: () => settings.value.token, fetch: deps.fetch }),
    setUnauthorized,
  );
  const diagnostics = createDiagnostics();
  const toasts = createToasts();
  const incidents = createIncidents({ api });
  const health = createHealth({ api, intervalMs: deps.healthIntervalMs });
  const live = createLiveConnection({
    url: () => settings.liveUrl(pageUrl),
    createSocket: deps.createSocket ?? ((url) => new WebSocket(url)),
    staleAfterMs: deps.staleAfterMs,
    backoffMs: deps.backoffMs,
    now: nowMs,
    eventTarget: deps.eventTarget,
  });

  const [now, setNow] = createSignal(nowMs());
  const clock = setInterval(() => setNow(nowMs()), 15_000);
  onCleanup(() => clearInterval(clock));

  const changeListeners = new Set<(ids: ReadonlySet<string>) => void>();

  const sync = () =>
    incidents.sync().catch((error: unknown) => {
      diagnostics.report("incident sync failed", error instanceof Error ? error.message : String(error));
    });

  async function fetchUnknown(id: string) {
    try {
      const detail = await api.getIncident(id);
      if (incidents.upsert(summarize(detail.incident))) {
        for (const listener of changeListeners) listener(new Set([id]));
      }
    } catch (error) {
      diagnostics.report("could not load a changed incident", error instanceof Error ? error.message : String(error));
    }
  }

  // Live messages are gathered briefly and applied in one batch: a burst of thousands of
  // transitions then costs a handful of list refreshes instead of one per message.
  let buffer: LiveMessage[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let settlePendingSince: number | undefined;
  const flush = () => {
    flushTimer = undefined;
    const messages = buffer;
    buffer = [];
    const changed = new Set<string>();
    const unknown = new Set<string>();
    batch(() => {
      for (const message of messages) {
        const result = incidents.apply(message);
        if (message.type === "incident.created") changed.add(message.incident.id);
        if (message.type === "incident.changed") changed.add(message.id);
        if (result.unknownId) unknown.add(result.unknownId);
        const created = result.created;
        if (created && TOAST_SEVERITIES.has(created.severity)) {
          toasts.push({
            tone: created.severity === "critical" ? "danger" : "warning",
            title: `New ${created.severity} incident`,
            body: created.title,
            href: `/incidents/${encodeURIComponent(created.id)}`,
          });
        }
      }
    });
    // A few unknown ids are fetched one by one; many mean we missed a stretch, so resync.
    if (unknown.size > 20) void sync();
    else for (const id of unknown) void fetchUnknown(id);
    if (changed.size) {
      for (const listener of changeListeners) listener(changed);
      // Debounced, but a steady stream of changes still resyncs at least every 15 s.
      clearTimeout(settleTimer);
      settlePendingSince ??= nowMs();
      const waited = nowMs() - settlePendingSince;
      settleTimer = setTimeout(
        () => {
          settlePendingSince = undefined;
          void sync();
        },
        Math.max(0, Math.min(deps.settleMs ?? 3000, 15_000 - waited)),
      );
    }
  };

  live.subscribe((message) => {
    if (message.type === "heartbeat") return;
    buffer.push(message);
    flushTimer ??= setTimeout(flush, deps.flushMs ?? 100);
  });
  live.onRejected((reason) => diagnostics.report("live message refused", reason));
  live.onOpen((reconnected) => {
    void sync();
    if (reconnected) void health.refresh();
  });
  // Without a live connection (yet), still show what the server has.
  const initialSync = setTimeout(() => {
    if (!incidents.state.syncedAt && !incidents.state.syncing && settings.value.token) void sync();
  }, deps.initialSyncDelayMs ?? 1500);
  onCleanup(() => {
    clearTimeout(initialSync);
    clearTimeout(flushTimer);
    clearTimeout(settleTimer);
  });

  return {
    settings,
    api,
    live,
    incidents,
    toasts,
    diagnostics,
    health,
    now,
    unauthorized,
    onIncidentsChanged(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
  };
}

/** Create the app state once and provide it to everything below. */
export function AppProvider(props: { deps?: AppDeps; value?: AppContextValue; children: JSX.Element }) {
  const value = props.value ?? createAppState(props.deps);
  return <AppContext.Provider value={value}>{props.children}</AppContext.Provider>;
}
