import { render } from "@solidjs/testing-library";
import { App } from "../App.js";
import type { AppDeps } from "../context.js";
import { STORAGE_KEY } from "../stores/createSettings.js";
import {
  createFakeServer,
  createFakeSocket,
  type FakeServer,
  type FakeServerOptions,
  FakeSocket,
  memoryStorage,
} from "./fakeServer.js";

/**
 * Render the whole app on `path` against a fake server (which accepts `token`, default
 * "test-token") and fake sockets, with `storedToken` (default the same) in settings.
 */
export function renderApp(
  options: FakeServerOptions & { path?: string; storedToken?: string | null; deps?: AppDeps } = {},
) {
  FakeSocket.reset();
  const server: FakeServer = createFakeServer(options);
  const token = options.storedToken === undefined ? "test-token" : options.storedToken;
  const storage = memoryStorage(token === null ? {} : { [STORAGE_KEY]: JSON.stringify({ token }) });
  const result = render(() => (
    <App
      initialPath={options.path ?? "/"}
      deps={{
        fetch: server.fetch,
        createSocket: createFakeSocket,
        storage,
        pageUrl: "http://127.0.0.1:8787/",
        flushMs: 0,
        settleMs: 60_000,
        backoffMs: [20],
        initialSyncDelayMs: 10_000,
        healthIntervalMs: 60_000,
        ...options.deps,
      }}
    />
  ));
  return { ...result, server, storage };
}
