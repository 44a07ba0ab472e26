import type { RiposteConfig } from "../config/schema.js";

/**
 * The circuit breaker: more than `remediation.circuitBreaker.maxActions` changes within
 * `windowMinutes` halts automatic remediation (approved actions still run, and count). It keeps a
 * small persistent ledger of the changes made — also where self-expiring changes (temporary deny
 * policies) are remembered until the sweep removes them.
 */

export interface LedgerEntry {
  /** Stable per incident, action and target, so a retried task never counts twice. */
  id: string;
  /** When the change was admitted (ISO 8601). */
  at: string;
  action: string;
  target: string;
  incidentId: string;
  /** For changes that expire (temporary denies): when to clean up after them. */
  expiresAt?: string;
  /** Data the cleanup needs (the user name of a temporary deny). */
  detail?: Record<string, string>;
}

/** ISO times in one form (`…:00.000Z`), so ledgers can compare them as text. */
export function normalizeTime(iso: string): string {
  return new Date(iso).toISOString();
}

/** The ledger port; implementations: memory (below, also the fallback) and SQLite (`ledger-sqlite.ts`). */
export interface ActionLedger {
  /**
   * Atomically: when `entry.id` is already recorded, allow it again; else, when fewer than `max`
   * entries are newer than `since`, record it and allow it; else refuse it. `count` is the number
   * of entries in the window (this one included when recorded).
   */
  reserve(entry: LedgerEntry, limit: { since: string; max: number }): Promise<{ allowed: boolean; count: number }>;
  /** Record unconditionally (approved changes), idempotent on `id`. */
  record(entry: LedgerEntry): Promise<void>;
  /** Set or replace an entry's expiry (once the change is known to have been made). */
  setExpiry(id: string, expiresAt: string, detail?: Record<string, string>): Promise<void>;
  /** Entries whose `expiresAt` is at or before `at` and that are not cleared yet. */
  due(at: string): Promise<LedgerEntry[]>;
  /** Mark an expiring entry as cleaned up. */
  clear(id: string): Promise<void>;
}

/** An in-memory ledger (tests, and the fallback when the runtime provides none). */
export class MemoryActionLedger implements ActionLedger {
  private readonly entries = new Map<string, LedgerEntry & { cleared?: boolean }>();

  async reserve(entry: LedgerEntry, limit: { since: string; max: number }) {
    const inWindow = () => [...this.entries.values()].filter((e) => e.at > limit.since).length;
    if (this.entries.has(entry.id)) return { allowed: true, count: inWindow() };
    const count = inWindow();
    if (count >= limit.max) return { allowed: false, count };
    this.entries.set(entry.id, structuredClone(entry));
    return { allowed: true, count: count + 1 };
  }

  async record(entry: LedgerEntry) {
    if (!this.entries.has(entry.id)) this.entries.set(entry.id, structuredClone(entry));
  }

  async setExpiry(id: string, expiresAt: string, detail?: Record<string, string>) {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.set(id, {
        ...entry,
        expiresAt: normalizeTime(expiresAt),
        cleared: false,
        ...(detail ? { detail } : {}),
      });
    }
  }

  async due(at: string) {
    const upto = normalizeTime(at);
    return [...this.entries.values()]
      .filter((e) => e.expiresAt !== undefined && e.expiresAt <= upto && !e.cleared)
      .map(({ cleared: _cleared, ...entry }) => structuredClone(entry));
  }

  async clear(id: string) {
    const entry = this.entries.get(id);
    if (entry) entry.cleared = true;
  }
}

/** One ledger per process when the runtime injects none (a Lambda container keeps it warm). */
const fallbackLedger = new MemoryActionLedger();

export function defaultLedger(): ActionLedger {
  return fallbackLedger;
}

export interface Admission {
  allowed: boolean;
  /** Why not, in plain words. */
  reason?: string;
}

/** The breaker over a ledger: admits automatic changes while the window has room. */
export function createCircuitBreaker(ledger: ActionLedger, config: RiposteConfig) {
  const { maxActions, windowMinutes } = config.remediation.circuitBreaker;
  return {
    /** Admit one change: approved ones always (and counted), automatic ones while there is room. */
    async admit(entry: LedgerEntry, now: Date, approved: boolean): Promise<Admission> {
      if (approved) {
        await ledger.record(entry);
        return { allowed: true };
      }
      const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
      const { allowed, count } = await ledger.reserve(entry, { since, max: maxActions });
      if (allowed) return { allowed: true };
      return {
        allowed: false,
        reason: `circuit breaker open: ${count} remediation actions in the last ${windowMinutes} minutes (at most ${maxActions}); automatic remediation is halted until the window clears`,
      };
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
