import type { Logger } from "../../core/log.js";
import type { EventInbox } from "../runtime/inbox.js";
import type { SourcePositions } from "../runtime/positions.js";

/**
 * What every live event source of `riposte serve` looks like: it feeds the durable inbox (the
 * same one `POST /api/events` feeds), keeps its position in the detection database so a restart
 * resumes there, and reports how far behind it is for `/api/health`.
 */

/** One entry of `/api/health`'s `sources`. */
export interface SourceStatus {
  name: string;
  /** How far behind the source's present the runtime is, in seconds. */
  lagSeconds?: number;
  /** Event time of the newest event the source delivered. */
  lastEventAt?: string;
  /** The last problem, until the source works again. */
  error?: string;
}

export interface EventSource {
  readonly name: string;
  /** Begin delivering (returns at once; the source runs in the background). */
  start(): void;
  /** Stop, letting a delivery in progress finish (its events and position commit together). */
  stop(): Promise<void>;
  status(): SourceStatus;
}

/** What sources are built with. */
export interface SourceContext {
  inbox: EventInbox;
  positions: SourcePositions;
  logger: Logger;
  now: () => number;
}

/** Lag, newest event and last error of a source, kept as it runs. */
export class SourceHealth {
  private lastEventMs: number | undefined;
  private lastError: string | undefined;
  private behindSince: number | undefined;

  constructor(
    readonly name: string,
    private readonly now: () => number,
  ) {}

  /** Events were delivered; `newestMs` is the newest event time among them. */
  delivered(newestMs: number | undefined): void {
    if (newestMs !== undefined && (this.lastEventMs === undefined || newestMs > this.lastEventMs)) {
      this.lastEventMs = newestMs;
    }
    this.lastError = undefined;
  }

  /** The source is behind since `since` (epoch ms), or caught up (`undefined`). */
  behind(since: number | undefined): void {
    this.behindSince = since;
  }

  failed(error: unknown): void {
    this.lastError = describe(error);
  }

  recovered(): void {
    this.lastError = undefined;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  status(): SourceStatus {
    const lag = this.behindSince === undefined ? 0 : Math.max(0, (this.now() - this.behindSince) / 1000);
    return {
      name: this.name,
      lagSeconds: Math.round(lag * 10) / 10,
      ...(this.lastEventMs !== undefined ? { lastEventAt: new Date(this.lastEventMs).toISOString() } : {}),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }
}

/** A one-line description of an error (the SDK's error name and message). */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const text = error.message && error.message !== error.name ? `${error.name}: ${error.message}` : error.name;
    return text.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/** Wait `ms`, or less if `signal` aborts (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The newest event time of a list, if any. */
export function newestOf(events: readonly { epochMs: number }[]): number | undefined {
  let newest: number | undefined;
  for (const event of events) if (newest === undefined || event.epochMs > newest) newest = event.epochMs;
  return newest;
}
