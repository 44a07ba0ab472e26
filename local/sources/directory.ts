import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { listInputFiles, readEventFiles } from "../../core/events/index.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { describe, type EventSource, pause, type SourceContext, SourceHealth } from "./source.js";

/**
 * A watched directory of CloudTrail log files (and anything else `riposte scan` reads: `AWSLogs/…`
 * trees, `.json.gz`, JSON Lines, GuardDuty exports, flow logs). The directory is scanned every
 * `pollMs` (and sooner when the file system reports a change); a file is read once it has not
 * changed for `settleMs`, its events go to the inbox in chunks, and its size and modification
 * time are recorded with its last chunk. A restart skips the files recorded; a file that changes
 * afterwards is read again (the inbox recognises the events it already has).
 */

export interface DirectorySourceOptions extends SourceContext {
  dir: string;
  pollMs: number;
  settleMs: number;
  /** Events per inbox transaction (default 2,000). */
  chunkSize?: number;
}

interface FileMark {
  size: number;
  mtimeMs: number;
}

const SOURCE = "watch";

export function createDirectorySource(options: DirectorySourceOptions): EventSource {
  const dir = resolve(options.dir);
  const positionSource = `${SOURCE}:${dir}`;
  const health = new SourceHealth(`watch ${dir}`, options.now);
  const logger = options.logger.child({ source: SOURCE, dir });
  const chunkSize = options.chunkSize ?? 2000;
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let watcher: FSWatcher | undefined;
  let nudge: (() => void) | undefined;
  /** Errors already reported, by file, so a broken file is logged once, not every scan. */
  const reported = new Map<string, string>();

  const isRead = (path: string, mark: FileMark) => {
    const done = options.positions.get<FileMark>(positionSource, path);
    return done !== undefined && done.size === mark.size && done.mtimeMs === mark.mtimeMs;
  };

  async function readFile(path: string, mark: FileMark): Promise<void> {
    let chunk: SecurityEvent[] = [];
    let newest: number | undefined;
    let events = 0;
    let bad = 0;
    const flush = async (last: boolean) => {
      const batch = chunk;
      chunk = [];
      await options.inbox.add(
        batch,
        positionSource,
        last ? () => options.positions.setNow(positionSource, path, mark) : undefined,
      );
    };
    for await (const item of readEventFiles([path])) {
      if ("error" in item) {
        bad++;
        logger.warn("unreadable record", {
          file: item.error.file,
          position: item.error.position,
          reason: item.error.reason,
        });
        continue;
      }
      chunk.push(item.event);
      events++;
      if (newest === undefined || item.event.epochMs > newest) newest = item.event.epochMs;
      if (chunk.length >= chunkSize) await flush(false);
    }
    await flush(true);
    health.delivered(newest);
    logger.info("file read", { file: path, events, unreadable: bad });
  }

  async function scan(): Promise<void> {
    const { files, errors } = await listInputFiles([dir]);
    for (const error of errors) {
      if (reported.get(error.file) !== error.reason)
        logger.warn("cannot list", { path: error.file, reason: error.reason });
      reported.set(error.file, error.reason);
    }
    if (errors.length > 0 && files.length === 0) health.failed(new Error(errors[0]!.reason));
    else health.recovered();
    const now = options.now();
    let oldestWaiting: number | undefined;
    for (const file of files) {
      if (abort.signal.aborted) return;
      let mark: FileMark;
      try {
        const info = await stat(file.path);
        mark = { size: info.size, mtimeMs: Math.floor(info.mtimeMs) };
      } catch {
        continue; // gone since it was listed
      }
      if (isRead(file.path, mark)) continue;
      const waiting = () => (oldestWaiting = Math.min(oldestWaiting ?? mark.mtimeMs, mark.mtimeMs));
      // Still being written: come back when it has settled.
      if (now - mark.mtimeMs < options.settleMs) {
        waiting();
        continue;
      }
      try {
        await readFile(file.path, mark);
        reported.delete(file.path);
      } catch (error) {
        waiting();
        const reason = describe(error);
        if (reported.get(file.path) !== reason)
          logger.warn("file not read; retrying at the next scan", { file: file.path, error });
        reported.set(file.path, reason);
        health.failed(error);
      }
    }
    // Behind by the oldest file not read yet (0 once every file is read).
    health.behind(oldestWaiting);
  }

  async function loop(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        await scan();
      } catch (error) {
        health.failed(error);
        logger.warn("directory scan failed", { error });
      }
      await new Promise<void>((wake) => {
        nudge = wake;
        void pause(options.pollMs, abort.signal).then(wake);
      });
      nudge = undefined;
    }
  }

  return {
    name: health.name,
    start() {
      try {
        // A hint only (not every file system reports changes); the periodic scan is what counts.
        watcher = watch(dir, { recursive: true, persistent: false }, () => nudge?.());
        watcher.on("error", () => watcher?.close());
      } catch {
        watcher = undefined;
      }
      running = loop();
    },
    async stop() {
      abort.abort();
      nudge?.();
      watcher?.close();
      await running;
    },
    status: () => health.status(),
  };
}
