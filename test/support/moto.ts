import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/**
 * The AWS API emulator (moto) for integration suites: each suite starts its own server on a
 * 127.0.0.1 port of its own and stops it afterwards. Where moto is missing the suite skips, unless
 * RIPOSTE_REQUIRE_MOTO=1 (set by .ci/run), where its absence fails.
 */

export interface MotoServer {
  endpoint: string;
  /** Clear every emulated resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

let available: boolean | undefined;

/** Whether `python3 -m moto.server` can run here. */
export function motoAvailable(): boolean {
  available ??= spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" }).status === 0;
  if (!available && process.env.RIPOSTE_REQUIRE_MOTO === "1") {
    throw new Error("moto is required (RIPOSTE_REQUIRE_MOTO=1) but python3 -m moto.server is not available");
  }
  return available;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Werkzeug's start line, on moto's stderr, with the port the OS gave it (`-p 0`). */
const RUNNING_ON = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

async function waitReady(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}`);
    const endpoint = RUNNING_ON.exec(output())?.[1];
    if (endpoint) {
      try {
        const response = await fetch(`${endpoint}/moto-api/`);
        if (response.status === 200) return endpoint;
      } catch {
        // bound, not answering yet
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto did not answer within ${timeoutMs} ms`);
}

/**
 * Start moto on a port the OS picks (`-p 0`, read back from its start line, so suites running side
 * by side can never be handed the same port); resolves when GET /moto-api/ answers 200.
 */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let endpoint: string;
  try {
    endpoint = await waitReady(child, () => stderr, timeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

/** SDK client options for moto: fixed test credentials, one attempt so retries hide nothing. */
export function motoClientConfig(endpoint: string, region = "us-east-1") {
  return {
    endpoint,
    region,
    maxAttempts: 1,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
}
