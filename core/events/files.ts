import { type BigIntStats, type Dirent, readdirSync, statSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ReadError } from "./types.js";
import type { LogFileFacts } from "./web-logs.js";

/**
 * Input files: explicit paths are read whatever their name; directories are walked recursively
 * (the `AWSLogs/…` layout), keeping log-like files and skipping CloudTrail digest files. Files
 * are ordered by the delivery timestamp AWS puts in log file names (`_20230710T1200Z_`), so a
 * tree of many regions and days is read roughly in time order.
 *
 * Symbolic links are followed (to files and to directories). Every directory and file is taken
 * once, by device and inode, so a link back to an enclosing directory is reported once as a loop
 * instead of being walked forever, and a file reached by two ways is not read (and counted) twice.
 * FIFOs, devices and sockets are reported and never opened: reading one blocks or never ends.
 */

export interface InputFile {
  path: string;
  size: number;
}

const LOG_FILE = /\.(json|jsonl|ndjson|log|txt)(\.gz)?$|\.gz$/i;
const DELIVERY_TIME = /_(\d{8}T\d{4}Z)_/;

/** What a listing has seen so far: device and inode of every directory walked and file kept. */
interface Listing {
  files: InputFile[];
  errors: ReadError[];
  seen: Set<string>;
}

/**
 * The listing's file system calls, as requests it yields: `listInputFiles` performs them without
 * blocking (a server lists while it serves), `listInputFilesSync` at once (a scan has nothing else
 * to do meanwhile, and thousands of calls through the thread pool cost far more).
 */
type FsCall = { stat: string } | { readdir: string };
type FsAnswer = BigIntStats | Dirent[];
type Listed = { files: InputFile[]; errors: ReadError[] };

export async function listInputFiles(paths: readonly string[]): Promise<Listed> {
  const steps = list(paths);
  let step = steps.next();
  while (!step.done) {
    const call = step.value;
    let answer: FsAnswer;
    try {
      answer =
        "stat" in call ? await stat(call.stat, { bigint: true }) : await readdir(call.readdir, { withFileTypes: true });
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(answer);
  }
  return step.value;
}

/** `listInputFiles`, blocking this thread until done. */
export function listInputFilesSync(paths: readonly string[]): Listed {
  const steps = list(paths);
  let step = steps.next();
  while (!step.done) {
    const call = step.value;
    let answer: FsAnswer;
    try {
      answer =
        "stat" in call ? statSync(call.stat, { bigint: true }) : readdirSync(call.readdir, { withFileTypes: true });
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(answer);
  }
  return step.value;
}

function* list(paths: readonly string[]): Generator<FsCall, Listed, FsAnswer> {
  const listing: Listing = { files: [], errors: [], seen: new Set() };
  for (const path of paths) {
    let info: BigIntStats;
    try {
      info = (yield { stat: path }) as BigIntStats;
    } catch (error) {
      listing.errors.push({ file: path, position: 0, reason: describeFsError(error) });
      continue;
    }
    if (info.isDirectory()) yield* walk(path, info, [], listing);
    else take(path, info, listing);
  }
  return { files: sortByDeliveryTime(listing.files), errors: listing.errors };
}

/** `enclosing`: device and inode of the directories above `dir` in this walk (a link back is a loop). */
function* walk(
  dir: string,
  info: BigIntStats,
  enclosing: string[],
  listing: Listing,
): Generator<FsCall, void, FsAnswer> {
  const key = identity(info);
  if (enclosing.includes(key)) {
    listing.errors.push({ file: dir, position: 0, reason: "symbolic link loop: leads back to an enclosing directory" });
    return;
  }
  // Reached before by another way (two links to one directory, or a directory named twice).
  if (listing.seen.has(key)) return;
  listing.seen.add(key);
  let entries: Dirent[];
  try {
    entries = (yield { readdir: dir }) as Dirent[];
  } catch (error) {
    listing.errors.push({ file: dir, position: 0, reason: describeFsError(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inside = [...enclosing, key];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory() && entry.name === "CloudTrail-Digest") continue;
    if (!entry.isDirectory() && !entry.isSymbolicLink() && !LOG_FILE.test(entry.name)) continue;
    let target: BigIntStats;
    try {
      // Follows a symbolic link; a dangling or looping link is an error, named here.
      target = (yield { stat: path }) as BigIntStats;
    } catch (error) {
      if (entry.isSymbolicLink() || LOG_FILE.test(entry.name))
        listing.errors.push({ file: path, position: 0, reason: describeFsError(error, entry.isSymbolicLink()) });
      continue;
    }
    if (target.isDirectory()) {
      if (entry.name !== "CloudTrail-Digest") yield* walk(path, target, inside, listing);
    } else if (LOG_FILE.test(entry.name)) take(path, target, listing);
  }
}

/** Keep a regular file (once); report anything else named like input, which is never opened. */
function take(path: string, info: BigIntStats, listing: Listing): void {
  if (!info.isFile()) {
    listing.errors.push({ file: path, position: 0, reason: `${specialFileKind(info)}: not a regular file, skipped` });
    return;
  }
  const key = identity(info);
  if (listing.seen.has(key)) return;
  listing.seen.add(key);
  listing.files.push({ path, size: Number(info.size) });
}

function identity(info: BigIntStats): string {
  return `${info.dev}:${info.ino}`;
}

/** What a file that is not a regular file or a directory is, in words. */
export function specialFileKind(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "a special file";
}

/** Stable sort: files without a delivery time first (as given), then by delivery time. */
function sortByDeliveryTime(files: InputFile[]): InputFile[] {
  const keyed = files.map((file, index) => ({ file, index, key: DELIVERY_TIME.exec(basename(file.path))?.[1] ?? "" }));
  keyed.sort((a, b) => (a.key === b.key ? a.index - b.index : a.key < b.key ? -1 : 1));
  return keyed.map((entry) => entry.file);
}

/** Account and region from the AWS log layout (`AWSLogs/<account>/<service>/<region>/…` or the file name). */
export function logFileFacts(path: string): LogFileFacts {
  const normalized = path.replaceAll("\\", "/");
  const layout = /AWSLogs\/(\d{12})\/[^/]+\/([a-z]{2}(?:-[a-z]+)+-\d)\//.exec(normalized);
  if (layout) return { account: layout[1]!, region: layout[2]! };
  const name = /(?:^|\/)(\d{12})_[a-zA-Z]+_([a-z]{2}(?:-[a-z]+)+-\d)_/.exec(normalized);
  if (name) return { account: name[1]!, region: name[2]! };
  return { account: "", region: "" };
}

export function describeFsError(error: unknown, symbolicLink = false): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return symbolicLink ? "dangling symbolic link (its target does not exist)" : "no such file or directory";
  if (code === "ELOOP") return "symbolic link loop";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (error as Error).message;
}
