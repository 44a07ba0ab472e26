import Database from "better-sqlite3";
import { isFinalStatus } from "../../core/model/status.js";
import { benchRecords, postRecord, startBenchServe } from "./runtime-records.js";

const INCIDENTS = Number(process.env.BENCH_COMMITS_INCIDENTS ?? 30);

interface Statement {
  source: string;
  reader: boolean;
  database: Database.Database & { name: string };
  run(...args: unknown[]): unknown;
}

/** Commits per database file, those fsynced, and per kind: the statements of each transaction, in short. */
const commits = new Map<string, number>();
const fsynced = new Map<string, number>();
/** Each connection's `synchronous` setting, as `db.pragma` set it (the default: FULL). */
const normal = new Set<Database.Database>();
const kinds = new Map<string, number>();
const writes = new Map<Database.Database, string[]>();

const short = (sql: string) =>
  sql
    .replace(/\s+/g, " ")
    .trim()
    .match(/^(INSERT OR IGNORE INTO|INSERT OR REPLACE INTO|INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/i)
    ?.slice(1, 3)
    .join(" ")
    .replace(/ OR (IGNORE|REPLACE)/i, "")
    .toLowerCase() ?? sql.slice(0, 24);

function counted(db: Database.Database & { name: string }, sql: string[]): void {
  const file = db.name.split("/").at(-1) ?? db.name;
  commits.set(file, (commits.get(file) ?? 0) + 1);
  const synced = !normal.has(db);
  if (synced) fsynced.set(file, (fsynced.get(file) ?? 0) + 1);
  const kind = `${file}${synced ? " (fsynced)" : ""}: ${[...new Set(sql)].sort().join(" + ") || "(nothing written)"}`;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}

/** Wrap every statement's `run` and the database's `exec` so each commit is counted once. */
function instrument(): void {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as { run: Statement["run"] };
  probe.close();
  const run = proto.run;
  proto.run = function (this: Statement, ...args: unknown[]) {
    const db = this.database;
    const sql = this.source.trim().toUpperCase();
    const inTransaction = db.inTransaction;
    const result = run.apply(this, args);
    if (sql.startsWith("PRAGMA")) return result;
    if (sql === "COMMIT" || sql.startsWith("RELEASE")) {
      if (sql === "COMMIT") {
        counted(db, writes.get(db) ?? []);
        writes.delete(db);
      }
    } else if (!this.reader && !/^(BEGIN|SAVEPOINT|ROLLBACK)/.test(sql)) {
      if (inTransaction) writes.set(db, [...(writes.get(db) ?? []), short(this.source)]);
      else counted(db, [short(this.source)]);
    }
    return result;
  };
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function (this: Database.Database, source: string, options?: Database.PragmaOptions) {
    const setting = source.toUpperCase().match(/^SYNCHRONOUS\s*=\s*(\w+)/);
    if (setting) {
      if (setting[1] === "FULL" || setting[1] === "EXTRA") normal.delete(this);
      else normal.add(this);
    }
    return pragma.call(this, source, options);
  } as typeof pragma;
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (this: Database.Database & { name: string }, sql: string) {
    const result = exec.call(this, sql);
    if (/^\s*COMMIT\s*$/i.test(sql)) {
      counted(this, writes.get(this) ?? []);
      writes.delete(this);
    } else if (/^\s*ROLLBACK\s*$/i.test(sql)) writes.delete(this);
    return result;
  };
}

async function main(): Promise<void> {
  instrument();
  const { runtime, close } = await startBenchServe();
  const finals = new Set<string>();
  let waiting: { ids: Set<string>; done: () => void } | undefined;
  runtime.store.subscribe((change) => {
    if (change.type !== "incident.changed" || !isFinalStatus(change.incident.status)) return;
    for (const id of change.incident.eventIds) {
      finals.add(id);
      if (waiting?.ids.has(id)) {
        waiting.ids.delete(id);
        if (waiting.ids.size === 0) waiting.done();
      }
    }
  });
  const post = async (records: unknown[]) => {
    const ids = new Set(records.map((item) => (item as { eventID: string }).eventID));
    const done = new Promise<void>((resolve) => (waiting = { ids, done: resolve }));
    await Promise.all(
      records.map(async (item) => {
        const { status } = await postRecord(new URL(runtime.url), item);
        if (status !== 202) throw new Error(`POST answered ${status}`);
      }),
    );
    await done;
  };
  const phase = async (label: string, run: () => Promise<void>) => {
    commits.clear();
    fsynced.clear();
    kinds.clear();
    await run();
    await runtime.detection.drained();
    const perIncident = (counts: Map<string, number>) =>
      `${([...counts.values()].reduce((a, b) => a + b, 0) / INCIDENTS).toFixed(2)} per incident (` +
      [...counts].map(([file, n]) => `${file} ${(n / INCIDENTS).toFixed(2)}`).join(", ") +
      ")";
    process.stdout.write(`${label}: commits ${perIncident(commits)}; fsynced ${perIncident(fsynced)}\n`);
    for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      process.stdout.write(`  ${(n / INCIDENTS).toFixed(2)}  ${kind}\n`);
    }
  };
  try {
    await post(benchRecords(1, 0, "warm-up"));
    await phase(`one at a time, ${INCIDENTS} incidents`, async () => {
      for (const item of benchRecords(INCIDENTS, 1, "one")) await post([item]);
    });
    await phase(`all at once, ${INCIDENTS} incidents`, () => post(benchRecords(INCIDENTS, 2, "burst")));
  } finally {
    await close();
  }
}

await main();
