import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ReadError } from "./types.js";
import type { LogFileFacts } from "./web-logs.js";

/**
 * Input files: explicit paths are read whatever their name; directories are walked recursively
 * (the `AWSLogs/…` layout), keeping log-like files and skipping CloudTrail digest files. Files
 * are ordered by the delivery timestamp AWS puts in log file names (`_20230710T1200Z_`), so a
 * tree of many regions and days is read roughly in time order.
 */

export interface InputFile {
  path: string;
  size: number;
}

const LOG_FILE = /\.(json|jsonl|ndjson|log|txt)(\.gz)?$|\.gz$/i;
const DELIVERY_TIME = /_(\d{8}T\d{4}Z)_/;

export async function listInputFiles(paths: readonly string[]): Promise<{ files: InputFile[]; errors: ReadError[] }> {
  const files: InputFile[] = [];
  const errors: ReadError[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch (error) {
      errors.push({ file: path, position: 0, reason: describeFsError(error) });
      continue;
    }
    if (info.isDirectory()) await walk(path, files, errors);
    else files.push({ path, size: info.size });
  }
  return { files: sortByDeliveryTime(files), errors };
}

async function walk(dir: string, files: InputFile[], errors: ReadError[]): Promise<void> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    errors.push({ file: dir, position: 0, reason: describeFsError(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) {
      if (entry.name === "CloudTrail-Digest") continue;
      await walk(path, files, errors);
    } else if (entry.isFile() && LOG_FILE.test(entry.name)) {
      try {
        files.push({ path, size: (await stat(path)).size });
      } catch (error) {
        errors.push({ file: path, position: 0, reason: describeFsError(error) });
      }
    }
  }
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

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (error as Error).message;
}
