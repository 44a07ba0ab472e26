import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../core/log.js";
import { SqliteStore } from "../../core/store/sqlite/store.js";
import { type LocalServer, type LocalServerOptions, startLocalServer } from "../../local/server/index.js";

export const TOKEN = "test-dashboard-token-0123456789";
/** `POST /api/events` takes only this, never the dashboard token. */
export const INTAKE_TOKEN = "test-intake-token-0123456789";

export interface Harness {
  server: LocalServer;
  store: SqliteStore;
  url: string;
  /** fetch with the dashboard token (the intake token for `/api/events`) unless `auth: false`. */
  call(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  stop(): Promise<void>;
}

/** A real `riposte serve` HTTP side on 127.0.0.1 over a SQLite file in a temporary directory. */
export async function startHarness(overrides: Partial<LocalServerOptions> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), "riposte-api-"));
  const store = new SqliteStore({ dataDir, synchronous: "normal" });
  const server = await startLocalServer({
    port: 0,
    store,
    token: TOKEN,
    intakeTokens: [{ token: INTAKE_TOKEN, principal: "intake" }],
    logger: silentLogger,
    ...overrides,
  });
  return {
    server,
    store,
    url: server.url,
    call(path, init = {}) {
      const { auth = true, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth) headers.set("authorization", `Bearer ${path.startsWith("/api/events") ? INTAKE_TOKEN : TOKEN}`);
      return fetch(`${server.url}${path}`, { ...rest, headers });
    },
    async stop() {
      await server.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
