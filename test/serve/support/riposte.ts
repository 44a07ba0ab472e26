import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import type { IncidentDetailResponse, IncidentListResponse } from "../../../core/model/api.js";
import type { LiveMessage } from "../../../core/model/messages.js";

/**
 * `riposte serve` as a child process, the way a user runs it: `node bin/riposte.mjs serve` on
 * port 0 with its own data directory; the URL is read from what it prints. Stopped with a signal
 * of the test's choosing (SIGKILL to simulate a crash, SIGTERM for a graceful shutdown).
 */

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const TOKEN = "serve-e2e-token-3f9a1c7b5d2e8f60";
/** `POST /api/events` takes only this (RIPOSTE_INTAKE_TOKEN), never the dashboard token. */
export const INTAKE_TOKEN = "serve-e2e-intake-token-8c41d07e92b3";

export interface Served {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Send a signal and wait for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeArgs {
  dataDir: string;
  demo?: boolean;
  /**
   * The configuration file. Without one, serve gets `remediation.autoRemediateIntake: true`: the
   * tests post their scenarios to POST /api/events and follow the automatic path.
   */
  configPath?: string;
  env?: Record<string, string>;
  /** Leave RIPOSTE_DASHBOARD_TOKEN unset (serve generates a token and prints it). */
  noToken?: boolean;
  logLevel?: string;
  /** More flags for `riposte serve` (e.g. `--rules DIR`). */
  args?: string[];
}

const running = new Set<Served>();

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A configuration file (in the data directory) that remediates intake incidents automatically. */
function trustedIntakeConfig(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "trusted-intake.config.json");
  writeFileSync(path, JSON.stringify({ remediation: { autoRemediateIntake: true } }));
  return path;
}

/** Start `riposte serve`; resolves once it printed the URL it listens on. */
export async function serve(args: ServeArgs, timeoutMs = 30_000): Promise<Served> {
  const argv = ["bin/riposte.mjs", "serve", "--port", "0", "--data-dir", args.dataDir];
  if (!args.demo) argv.push("--no-demo");
  argv.push("--config", args.configPath ?? trustedIntakeConfig(args.dataDir));
  argv.push("--log-level", args.logLevel ?? "warn");
  argv.push(...(args.args ?? []));
  const env: Record<string, string | undefined> = { ...process.env, ...args.env };
  if (args.noToken) delete env.RIPOSTE_DASHBOARD_TOKEN;
  else env.RIPOSTE_DASHBOARD_TOKEN = TOKEN;
  env.RIPOSTE_INTAKE_TOKEN ??= INTAKE_TOKEN;
  const child = spawn(process.execPath, argv, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const collect = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const served: Served = {
    url: "",
    child,
    output: () => text,
    async stop(signal = "SIGTERM", stopTimeoutMs = 30_000) {
      running.delete(served);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const killer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
        const result = await exited;
        clearTimeout(killer);
        return result;
      }
      return exited;
    },
  };
  running.add(served);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const url = text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    if (url) {
      served.url = url;
      return served;
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await served.stop("SIGKILL");
  throw new Error(`riposte serve did not print its URL within ${timeoutMs} ms:\n${text}`);
}

/** Kill every server a test left running (for afterEach/afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((served) => served.stop("SIGKILL")));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function api<T>(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${init.token ?? (path === "/api/events" ? INTAKE_TOKEN : TOKEN)}`,
      "content-type": "application/json",
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** POST CloudTrail records; throws unless all were accepted. */
export async function postRecords(url: string, records: unknown[]): Promise<void> {
  const { status, body } = await api<{ accepted: number; errors: unknown[] }>(url, "/api/events", {
    method: "POST",
    body: { Records: records },
  });
  if (status !== 202 || body.accepted !== records.length) {
    throw new Error(`POST /api/events answered ${status}: ${JSON.stringify(body)}`);
  }
}

export async function listIncidents(url: string, token = TOKEN): Promise<IncidentListResponse["items"]> {
  const items: IncidentListResponse["items"] = [];
  let cursor: string | undefined;
  do {
    const query = `/api/incidents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { status, body } = await api<IncidentListResponse>(url, query, { token });
    if (status !== 200) throw new Error(`GET ${query} answered ${status}: ${JSON.stringify(body)}`);
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}

export async function incidentDetail(url: string, id: string, token = TOKEN): Promise<IncidentDetailResponse> {
  const { status, body } = await api<IncidentDetailResponse>(url, `/api/incidents/${encodeURIComponent(id)}`, {
    token,
  });
  if (status !== 200) throw new Error(`GET /api/incidents/${id} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Poll until `check` returns a value (not undefined); throws with the last seen state on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  describeState: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(150);
  }
  throw new Error(
    `timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}\n${describeState()}`,
  );
}

/** A WebSocket client on /ws that keeps every message it receives. */
export interface LiveClient {
  messages: LiveMessage[];
  close(): void;
}

export async function connectLive(url: string): Promise<LiveClient> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const messages: LiveMessage[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data)) as LiveMessage));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return { messages, close: () => socket.close() };
}
