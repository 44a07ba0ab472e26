import { type ActionLedger, type LedgerEntry, normalizeTime } from "./ports.js";

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
