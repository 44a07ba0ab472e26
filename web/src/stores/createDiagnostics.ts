import { createStore, produce } from "solid-js/store";

/**
 * What went wrong in this browser tab (refused live frames, failed syncs), kept in a small ring
 * shown on the settings page. The dashboard has no console logging; this is where it reports.
 */

export interface DiagnosticEntry {
  at: string;
  message: string;
  detail?: string;
}

export interface DiagnosticsStore {
  entries: readonly DiagnosticEntry[];
  report(message: string, detail?: string): void;
}

export function createDiagnostics(options: { max?: number; now?: () => Date } = {}): DiagnosticsStore {
  const max = options.max ?? 50;
  const now = options.now ?? (() => new Date());
  const [entries, setEntries] = createStore<DiagnosticEntry[]>([]);
  return {
    entries,
    report(message, detail) {
      setEntries(
        produce((list) => {
          list.unshift({ at: now().toISOString(), message, detail });
          list.splice(max);
        }),
      );
    },
  };
}
