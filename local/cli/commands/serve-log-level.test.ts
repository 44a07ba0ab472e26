import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/**
 * `riposte serve` as a script starts it (bin/riposte.mjs in its own process): the log lines on
 * stderr are JSON objects filtered by --log-level, and the dashboard token reaches stdout only
 * in the URL fragment, and only when it was generated.
 */

const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await new Promise((done) => child.once("exit", done));
    }
  }
});

async function serve(args: string[], env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "riposte-serve-logs-"));
  const child = spawn(
    process.execPath,
    ["bin/riposte.mjs", "serve", "--port", "0", "--no-demo", "--data-dir", dataDir, ...args],
    {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_NO_WARNINGS: "1", ...env },
    },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  await expect.poll(() => stdout, { timeout: 20_000 }).toMatch(/Dashboard: /);
  // Stop it the way a terminal or service manager does, and wait for it to finish.
  child.kill("SIGTERM");
  const code = await exited;
  return { code, stdout, stderr };
}

/** stderr as log records (Node's own warnings are off); any line that is not JSON fails the test. */
function records(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("riposte serve --log-level", () => {
  it("at info logs JSON lines from info up, including readiness and the stop, and prints the generated token in the URL fragment", async () => {
    const { code, stdout, stderr } = await serve(["--log-level", "info"]);

    expect(code).toBe(0);
    const lines = records(stderr);
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain("riposte ready");
    expect(messages).toContain("stopping");
    expect(messages).toContain("stopped");
    expect(lines.every((line) => line.level !== "debug")).toBe(true);
    expect(lines.find((line) => line.msg === "stopping")).toMatchObject({ level: "info", signal: "SIGTERM" });
    expect(stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{16,}\n/);
  });

  it("at warn leaves out info lines, and never prints a token taken from RIPOSTE_DASHBOARD_TOKEN", async () => {
    const token = "a-token-from-the-environment-1234";

    const { code, stdout, stderr } = await serve(["--log-level", "warn"], { RIPOSTE_DASHBOARD_TOKEN: token });

    expect(code).toBe(0);
    expect(records(stderr).filter((line) => line.level === "info" || line.level === "debug")).toEqual([]);
    expect(stdout).toContain("/#token=… (the token in RIPOSTE_DASHBOARD_TOKEN)");
    expect(stdout + stderr).not.toContain(token);
  });

  it("refuses an unknown level, naming the flag", async () => {
    const child = spawn(process.execPath, ["bin/riposte.mjs", "serve", "--log-level", "verbose"], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" },
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((done) => child.once("exit", (exitCode) => done(exitCode)));

    expect(code).toBe(2);
    expect(stderr).toContain("--log-level must be one of debug, info, warn, error, silent");
  });
});
