import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/**
 * Serve a file from `root` for a URL path; unknown paths fall back to `index.html` (the
 * dashboard routes on the client). Paths that escape `root` are refused.
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) return false;
  for (const path of [candidate, join(root, "index.html")]) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    const type = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
    const immutable = path.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": type,
      "content-length": info.size,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    // pipeline, not pipe: a read error (or a client gone) closes both ends instead of crashing
    // the process with an unhandled 'error'; the headers are sent, so the answer is cut short.
    pipeline(createReadStream(path), res).catch(() => res.destroy());
    return true;
  }
  return false;
}
