import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { garbleHeader, garbleMiddlePage } from "../../core/store/sqlite/corrupt.fixture.js";
import { openDatabase } from "../../core/store/sqlite/database.js";
import { openDetectionDatabase } from "../../local/runtime/detection-db.js";

/**
 * The data directory under attack, with real `riposte serve` processes (`node bin/riposte.mjs
 * serve --port 0`, loopback, no demo): a second server on the same directory, a server killed
 * with SIGKILL and its successors racing, a directory that cannot be written, and databases
 * damaged in the header or in the middle. Each start-up problem ends in one line naming the file
 * or directory, with its documented exit code (2 directory in use or unusable, 1 database
 * damaged), never exit 70 with a stack trace.
 */

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "datadir-adversarial-token-5e1d9c";
const isRoot = process.getuid?.() === 0;
/** Each server start (compiled dist/, or tsx when dist/ is stale) takes seconds on a busy machine. */
const PER_START_MS = 30_000;

interface Started {
  child: ChildProcess;
  output(): string;
  /** The URL once it listens, or undefined if it exited first. */
  listening: Promise<string | undefined>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<Started>();
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all([...started].map((server) => server.stop("SIGKILL")));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-adversarial-datadir-"));
  chmodSync(dir, 0o755); // reachable by the unprivileged user of the permission case
  dirs.push(dir);
  return dir;
}

interface StartOptions {
  flags?: string[];
  /** Run as this user and group (the tests run as root, which ignores file modes). */
  uid?: number;
  /** A command that runs the server (e.g. unshare … exec "$@"), given before node's arguments. */
  wrapper?: string[];
}

/** Start `riposte serve` on `dataDir` the way a user does. */
function start(dataDir: string, options: StartOptions = {}): Started {
  const argv = [
    "bin/riposte.mjs",
    "serve",
    "--port",
    "0",
    "--no-demo",
    "--log-level",
    "warn",
    "--data-dir",
    dataDir,
    ...(options.flags ?? []),
  ];
  const [command, ...args] = [...(options.wrapper ?? []), process.execPath, ...argv];
  const child = spawn(command!, args, {
    cwd: repoRoot,
    env: { ...process.env, RIPOSTE_DASHBOARD_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let text = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<string | undefined>((resolve) => {
    const collect = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const url = text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      if (url) resolve(url);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    void exited.then(() => resolve(undefined));
  });
  const server: Started = {
    child,
    output: () => text,
    listening,
    exited,
    async stop(signal = "SIGTERM") {
      started.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  started.add(server);
  return server;
}

/** Start and wait until it listens; fails with its output otherwise. */
async function listening(server: Started): Promise<string> {
  const url = await server.listening;
  if (!url) throw new Error(`riposte serve did not start:\n${server.output()}`);
  return url;
}

/** The one `riposte serve:` line of a failed start; asserts there is no stack trace. */
function failureLine(output: string): string {
  expect(output).not.toContain("internal error");
  expect(output).not.toMatch(/^\s+at /m);
  const lines = output.split("\n").filter((line) => line.startsWith("riposte serve: "));
  expect(lines, output).toHaveLength(1);
  return lines[0]!;
}

async function healthStatus(url: string): Promise<string> {
  const response = await fetch(`${url}/api/health`);
  return ((await response.json()) as { status: string }).status;
}

/** A data directory whose two databases hold a few hundred rows each (dozens of pages), closed. */
function populatedDataDir(): string {
  const dataDir = join(newDir(), "data");
  const store = openDatabase(join(dataDir, "riposte.db"));
  const audit = store.prepare("INSERT INTO audit (incident_id, at, body) VALUES (?, ?, ?)");
  store.transaction(() => {
    for (let i = 0; i < 600; i++) audit.run(`inc-${i}`, new Date(i * 1000).toISOString(), "a".repeat(300));
  })();
  store.close();
  const detection = openDetectionDatabase(dataDir);
  const inbox = detection.prepare(
    "INSERT INTO inbox (event_key, epoch_ms, received_at, source, body, processed_at) VALUES (?, ?, ?, 'test', ?, ?)",
  );
  detection.transaction(() => {
    for (let i = 0; i < 600; i++) inbox.run(`event-${i}`, i, i, "b".repeat(300), i);
  })();
  detection.close();
  return dataDir;
}

describe("one data directory, one riposte serve", () => {
  it(
    "refuses a second server on the same directory with exit 2, naming the directory and the running pid",
    async () => {
      const dataDir = join(newDir(), "data");
      const first = start(dataDir);
      const url = await listening(first);

      const second = start(dataDir);
      const { code } = await second.exited;

      const line = failureLine(second.output());
      expect(code).toBe(2);
      expect(line).toContain(
        `the data directory ${dataDir} is in use by another riposte serve (pid ${first.child.pid} on `,
      );
      expect(await healthStatus(url)).toBe("ok");
      expect(await first.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    },
    2 * PER_START_MS,
  );

  it(
    "takes over from a server killed with SIGKILL, saying the previous one did not stop cleanly",
    async () => {
      const dataDir = join(newDir(), "data");
      const killed = start(dataDir);
      await listening(killed);
      await killed.stop("SIGKILL");

      const next = start(dataDir);
      const url = await listening(next);

      expect(await healthStatus(url)).toBe("ok");
      expect(next.output()).toMatch(
        new RegExp(
          `"msg":"the previous riposte serve on this data directory did not stop cleanly[^"]*"[^\\n]*"previousPid":${killed.child.pid}\\b`,
        ),
      );
      expect(await next.stop("SIGTERM")).toEqual({ code: 0, signal: null });

      // A clean stop releases it: the next start has nothing to say about its predecessor.
      const after = start(dataDir);
      await listening(after);
      expect(after.output()).not.toContain("did not stop cleanly");
    },
    3 * PER_START_MS,
  );

  it(
    "lets exactly one of two servers racing for a killed server's directory start; the other exits 2 naming it",
    async () => {
      const dataDir = join(newDir(), "data");
      const killed = start(dataDir);
      await listening(killed);
      await killed.stop("SIGKILL");

      const racers = [start(dataDir), start(dataDir)];
      const urls = await Promise.all(racers.map((racer) => racer.listening));

      const winners = racers.filter((_, i) => urls[i] !== undefined);
      expect(winners, racers.map((racer) => racer.output()).join("\n----\n")).toHaveLength(1);
      const loser = racers.find((racer) => racer !== winners[0])!;
      expect((await loser.exited).code).toBe(2);
      expect(failureLine(loser.output())).toContain(
        `in use by another riposte serve (pid ${winners[0]!.child.pid} on `,
      );
    },
    3 * PER_START_MS,
  );
});

describe("a data directory that cannot be written", () => {
  it(
    "names a directory that cannot be created because a part of its path is a file, exit 2",
    async () => {
      const file = join(newDir(), "not-a-directory");
      writeFileSync(file, "plain file");
      const dataDir = join(file, "data");

      const server = start(dataDir);
      const { code } = await server.exited;

      expect(code).toBe(2);
      expect(failureLine(server.output())).toBe(
        `riposte serve: ${dataDir} cannot be created as a data directory: a part of the path is a file, not a directory (ENOTDIR); give another --data-dir`,
      );
    },
    PER_START_MS,
  );

  // Root ignores file modes, so "read-only" is tested the two ways it reaches root or a user:
  // a read-only file system (a read-only tmpfs mounted on the data directory in a private mount
  // namespace, when this machine allows unshare), and a directory of another owner, started as
  // an unprivileged user (nobody) when the tests run as root.
  const canMountReadOnly =
    isRoot &&
    spawnSync("unshare", ["--mount", "sh", "-c", "mount -t tmpfs -o ro none /mnt"], { stdio: "ignore" }).status === 0;

  it.skipIf(!canMountReadOnly)(
    "names a data directory on a read-only file system, exit 2",
    async () => {
      const dataDir = join(newDir(), "data");
      mkdirSync(dataDir);
      const mountReadOnly = ["unshare", "--mount", "sh", "-c", 'mount -t tmpfs -o ro none "$0" && exec "$@"', dataDir];

      const server = start(dataDir, { wrapper: mountReadOnly });
      const { code } = await server.exited;

      expect(code).toBe(2);
      expect(failureLine(server.output())).toBe(
        `riposte serve: ${dataDir} is not writable: read-only file system (EROFS); give a --data-dir on a writable file system`,
      );
    },
    PER_START_MS,
  );

  const NOBODY = 65534;
  it.skipIf(!isRoot)(
    "names a directory the user running serve cannot write, exit 2",
    async () => {
      const dataDir = join(newDir(), "data");
      mkdirSync(dataDir, { mode: 0o755 }); // root's; nobody may read it, not write in it

      const server = start(dataDir, { uid: NOBODY });
      const { code } = await server.exited;

      expect(code).toBe(2);
      expect(failureLine(server.output())).toBe(
        `riposte serve: ${dataDir} is not writable: permission denied (EACCES); fix its permissions, or give another --data-dir`,
      );
    },
    PER_START_MS,
  );

  it.skipIf(!isRoot)(
    "names a database file the user running serve cannot write, exit 2",
    async () => {
      const dataDir = populatedDataDir();
      chmodSync(dataDir, 0o777); // the directory is writable by anyone; riposte.db stays root's, 0600

      const server = start(dataDir, { uid: NOBODY });
      const { code } = await server.exited;

      expect(code).toBe(2);
      expect(failureLine(server.output())).toBe(
        `riposte serve: ${join(dataDir, "riposte.db")} is not writable: permission denied (EACCES); fix its permissions, or give another --data-dir`,
      );
    },
    PER_START_MS,
  );
});

describe("a damaged database", () => {
  const cases = [
    ["riposte.db", "a garbage header", garbleHeader],
    ["riposte.db", "a page damaged in the middle", garbleMiddlePage],
    ["detection.db", "a garbage header", garbleHeader],
    ["detection.db", "a page damaged in the middle", garbleMiddlePage],
  ] as const;

  it.each(cases)(
    "refuses %s with %s: exit 1, naming the file and the flag",
    async (name, _, damage) => {
      const dataDir = populatedDataDir();
      const file = join(dataDir, name);
      damage(file);

      const server = start(dataDir);
      const { code } = await server.exited;

      expect(code).toBe(1);
      const line = failureLine(server.output());
      expect(line.startsWith(`riposte serve: ${file} is damaged (`), line).toBe(true);
      expect(line).toMatch(
        /\); restore it from a backup, or start with --reset-corrupt-db to move it aside and begin with an empty one$/,
      );
    },
    PER_START_MS,
  );

  it(
    "with --reset-corrupt-db moves the damaged file aside (logged), keeps the intact one, and starts",
    async () => {
      const dataDir = populatedDataDir();
      const file = join(dataDir, "riposte.db");
      garbleMiddlePage(file);

      const server = start(dataDir, { flags: ["--reset-corrupt-db"] });
      const url = await listening(server);

      const moved = readdirSync(dataDir).filter((name) => name.startsWith("riposte.db.corrupt-"));
      expect(moved).toHaveLength(1);
      expect(server.output()).toContain(
        `"msg":"moved a damaged database aside; starting with an empty one","service":"riposte","file":"${file}","movedTo":"${join(dataDir, moved[0]!)}"`,
      );
      expect(readdirSync(dataDir).filter((name) => name.startsWith("detection.db.corrupt-"))).toEqual([]);
      expect(await healthStatus(url)).toBe("ok");
      const incidents = await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(((await incidents.json()) as { items: unknown[] }).items).toEqual([]);
      expect(await server.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      expect(existsSync(file)).toBe(true);
    },
    PER_START_MS,
  );
});
