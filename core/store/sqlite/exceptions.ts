import type { ExceptionRecord } from "../../model/exception.js";
import { listedExceptions } from "../writes.js";
import type { SqliteDatabase } from "./database.js";

/** Time-boxed exceptions in SQLite: inserted once (idempotent on id), announced once. */
export class SqliteExceptions {
  private readonly insert;
  private readonly select;
  private readonly all;
  private readonly announce;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO exceptions (id, expires_at, body) VALUES (@id, @expiresAt, @body) ON CONFLICT (id) DO NOTHING`,
    );
    this.select = db.prepare<[string], { body: string }>("SELECT body FROM exceptions WHERE id = ?");
    this.all = db.prepare<[], { body: string }>("SELECT body FROM exceptions");
    this.announce = db.prepare(
      `UPDATE exceptions SET body = json_set(body, '$.expiryAnnouncedAt', ?)
         WHERE id = ? AND json_extract(body, '$.expiryAnnouncedAt') IS NULL`,
    );
  }

  put(exception: ExceptionRecord): { exception: ExceptionRecord; created: boolean } {
    const { changes } = this.insert.run({
      id: exception.id,
      expiresAt: exception.expiresAt,
      body: JSON.stringify(exception),
    });
    if (changes === 1) return { exception: structuredClone(exception), created: true };
    return { exception: this.get(exception.id) as ExceptionRecord, created: false };
  }

  get(id: string): ExceptionRecord | undefined {
    const row = this.select.get(id);
    return row ? (JSON.parse(row.body) as ExceptionRecord) : undefined;
  }

  list(filter: { activeAt?: string } = {}): ExceptionRecord[] {
    return listedExceptions(
      this.all.all().map((row) => JSON.parse(row.body) as ExceptionRecord),
      filter,
    );
  }

  markAnnounced(id: string, at: string): { applied: boolean } {
    return { applied: this.announce.run(at, id).changes === 1 };
  }
}
