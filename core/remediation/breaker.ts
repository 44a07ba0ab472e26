import type { RiposteConfig } from "../config/schema.js";
import { MemoryActionLedger } from "../store/memory-ledger.js";
import type { ActionLedger, LedgerEntry } from "../store/ports.js";

/**
 * The circuit breaker: more than `remediation.circuitBreaker.maxActions` changes within
 * `windowMinutes` halts automatic remediation (approved actions still run, and count). It keeps a
 * small persistent ledger of the changes made — also where self-expiring changes (temporary deny
 * policies) are remembered until the sweep removes them.
 */

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
