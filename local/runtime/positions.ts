import type { DetectionDatabase } from "./detection-db.js";
import type { AsyncLock } from "./lock.js";

/**
 * Where each event source stands (a file read, the newest CloudTrail event seen, the demo's
 * next step), persisted in the detection database so a restart resumes there. Values are JSON.
 */
export class SourcePositions {
  private readonly statements;

  constructor(
    db: DetectionDatabase,
    private readonly lock: AsyncLock,
    private readonly now: () => number = Date.now,
  ) {
    this.statements = {
      get: db.prepare<[string, string], { value: string }>(
        "SELECT value FROM source_positions WHERE source = ? AND key = ?",
      ),
      put: db.prepare(
        `INSERT INTO source_positions (source, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      keys: db.prepare<[string], { key: string }>("SELECT key FROM source_positions WHERE source = ?"),
    };
  }

  get<T>(source: string, key: string): T | undefined {
    const row = this.statements.get.get(source, key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Write a position now (call inside a transaction, e.g. `EventInbox.add`'s `also`). */
  setNow(source: string, key: string, value: unknown): void {
    this.statements.put.run(source, key, JSON.stringify(value), this.now());
  }

  /** Write a position on its own, under the detection database's lock. */
  set(source: string, key: string, value: unknown): Promise<void> {
    return this.lock.run(() => this.setNow(source, key, value));
  }

  /** Every key a source has written. */
  keys(source: string): string[] {
    return this.statements.keys.all(source).map((row) => row.key);
  }
}
