import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * `riposte serve` as a real child process for browser end-to-end tests: started on a given port
 * and data directory, stopped with SIGTERM (and killed if it hangs), restartable on the same
 * port so tests can drop and restore the dashboard's connection.
 */

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface RiposteProcess {
  url: string;
  port: number;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  port: number;
  dataDir: string;
  token: string;
  configPath?: string;
  timeoutMs?: number;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`riposte serve exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`riposte serve did not answer ${url}/api/health within ${timeoutMs} ms:\n${output()}`);
}

/** What `POST /api/events` takes (RIPOSTE_INTAKE_TOKEN): never the dashboard token. */
export const INTAKE_TOKEN = "e2e-intake-token-5d2e8f603f9a1c7b";

/** Start `node bin/riposte.mjs serve --no-demo` and wait until /api/health answers. */
export async function startRiposte(options: ServeOptions): Promise<RiposteProcess> {
  const args = ["bin/riposte.mjs", "serve", "--port", String(options.port), "--data-dir", options.dataDir, "--no-demo"];
  if (options.configPath) args.push("--config", options.configPath);
  args.push("--log-level", "warn");
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, RIPOSTE_DASHBOARD_TOKEN: options.token, RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const collect = (chunk: Buffer) => {
    // Keep the tail only: a long run must not grow without bound.
    text = (text + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  try {
    await waitHealthy(url, child, () => text, options.timeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port: options.port, output: () => text, stop };
}

/** Build the dashboard into web/dist (what `riposte serve` serves); throws with Vite's output on failure. */
export function buildDashboard(): void {
  const vite = fileURLToPath(new URL("node_modules/vite/bin/vite.js", `file://${repoRoot}`));
  const result = spawnSync(process.execPath, [vite, "build", "web", "--logLevel", "warn"], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`dashboard build failed:\n${result.stdout}\n${result.stderr}`);
}
