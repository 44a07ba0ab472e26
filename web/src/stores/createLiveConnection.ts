import { type Accessor, createEffect, createSignal, onCleanup, untrack } from "solid-js";
import type { LiveMessage } from "../../../core/model/messages.js";
import { parseLiveMessage } from "../lib/messages.js";

/**
 * The one live connection of the dashboard: a WebSocket that reconnects with capped, jittered
 * backoff, treats a silent socket (no heartbeat) as dead, and tells listeners when it (re)opens
 * so they resync over REST. Created once in the app provider, never per page.
 */

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting";

export interface LiveConnection {
  state: Accessor<ConnectionState>;
  /** When the next attempt is due (epoch ms), while reconnecting. */
  retryAt: Accessor<number | undefined>;
  /** Failed attempts since the last successful open. */
  failures: Accessor<number>;
  lastMessageAt: Accessor<number | undefined>;
  /** Every valid message, in arrival order. */
  subscribe(listener: (message: LiveMessage) => void): () => void;
  /** Each successful open; `reconnected` is false for the first one. */
  onOpen(listener: (reconnected: boolean) => void): () => void;
  /** Frames that were refused, with the reason. */
  onRejected(listener: (reason: string) => void): () => void;
  /** Skip the backoff wait and try now. */
  reconnectNow(): void;
}

export type WebSocketFactory = (url: string) => WebSocket;

export interface LiveConnectionOptions {
  /** The URL to connect to; undefined (no token yet) keeps the connection idle. */
  url: Accessor<string | undefined>;
  createSocket: WebSocketFactory;
  /** No message (heartbeats included) for this long means the socket is dead. */
  staleAfterMs?: number;
  /** Backoff steps; the last one repeats. */
  backoffMs?: readonly number[];
  random?: () => number;
  now?: () => number;
  /** Where to listen for `online` (reconnect at once when the network returns). */
  eventTarget?: Pick<EventTarget, "addEventListener" | "removeEventListener">;
}

export const DEFAULT_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 15_000] as const;

/** Create the connection; it follows `url` and closes with the owning reactive scope. */
export function createLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const staleAfterMs = options.staleAfterMs ?? 45_000;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const [state, setState] = createSignal<ConnectionState>("idle");
  const [retryAt, setRetryAt] = createSignal<number>();
  const [failures, setFailures] = createSignal(0);
  const [lastMessageAt, setLastMessageAt] = createSignal<number>();
  const messageListeners = new Set<(message: LiveMessage) => void>();
  const openListeners = new Set<(reconnected: boolean) => void>();
  const rejectListeners = new Set<(reason: string) => void>();

  let socket: WebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let everOpened = false;
  let currentUrl: string | undefined;

  const clearTimers = () => {
    clearTimeout(retryTimer);
    clearTimeout(watchdog);
    retryTimer = undefined;
    watchdog = undefined;
  };

  // Detach first: a socket we abandon must not schedule anything when it finally closes.
  const abandon = () => {
    if (!socket) return;
    const old = socket;
    socket = undefined;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // Closing a socket that never connected can throw in some browsers; it is gone either way.
    }
  };

  const armWatchdog = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => dropped(), staleAfterMs);
  };

  const scheduleRetry = () => {
    const failed = failures() + 1;
    setFailures(failed);
    const step = backoff[Math.min(failed - 1, backoff.length - 1)] ?? 1000;
    const delay = Math.round(step * (0.75 + random() * 0.5));
    setState("reconnecting");
    setRetryAt(now() + delay);
    retryTimer = setTimeout(() => connect(), delay);
  };

  function dropped() {
    abandon();
    clearTimers();
    if (currentUrl) scheduleRetry();
  }

  function connect() {
    clearTimers();
    abandon();
    setRetryAt(undefined);
    if (!currentUrl) {
      setState("idle");
      return;
    }
    if (state() !== "reconnecting") setState("connecting");
    let next: WebSocket;
    try {
      next = options.createSocket(currentUrl);
    } catch {
      // A malformed URL from settings: keep retrying slowly; the indicator shows it.
      scheduleRetry();
      return;
    }
    socket = next;
    next.onopen = () => {
      setState("open");
      setFailures(0);
      setLastMessageAt(now());
      armWatchdog();
      const reconnected = everOpened;
      everOpened = true;
      for (const listener of openListeners) listener(reconnected);
    };
    next.onmessage = (event: MessageEvent) => {
      setLastMessageAt(now());
      armWatchdog();
      const parsed = parseLiveMessage(event.data);
      if (!parsed.ok) {
        for (const listener of rejectListeners) listener(parsed.reason);
        return;
      }
      for (const listener of messageListeners) listener(parsed.message);
    };
    next.onclose = () => dropped();
  }

  createEffect(() => {
    const url = options.url();
    // Only the URL drives this effect; what connect() reads must not re-trigger it.
    untrack(() => {
      currentUrl = url;
      setFailures(0);
      setState("idle");
      connect();
    });
  });

  const online = () => {
    if (state() === "reconnecting") connect();
  };
  options.eventTarget?.addEventListener("online", online);

  onCleanup(() => {
    options.eventTarget?.removeEventListener("online", online);
    currentUrl = undefined;
    clearTimers();
    abandon();
  });

  const listen = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };

  return {
    state,
    retryAt,
    failures,
    lastMessageAt,
    subscribe: (listener) => listen(messageListeners, listener),
    onOpen: (listener) => listen(openListeners, listener),
    onRejected: (listener) => listen(rejectListeners, listener),
    reconnectNow() {
      if (state() !== "open") connect();
    },
  };
}
