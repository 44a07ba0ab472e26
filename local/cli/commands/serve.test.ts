import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, main } from "../main.js";

// main() imports a command only when it runs: load serve and its modules first, so the polls
// below time serve's start-up, not the transform of its import graph on a busy machine.
beforeAll(async () => {
  await COMMANDS.find((command) => command.name === "serve")!.load();
}, 120_000);

describe("riposte serve", () => {
  it("listens on the requested port, answers /api/health, and stops on a signal", async () => {
    const stdout = new PassThrough();
    let printed = "";
    stdout.on("data", (chunk) => (printed += chunk));
    let stop: (signal: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    // Its own data directory: ./.riposte may be held by a riposte serve someone is running.
    const dataDir = mkdtempSync(join(tmpdir(), "riposte-serve-cli-"));
    const running = main(["serve", "--port", "0", "--no-demo", "--log-level", "silent", "--data-dir", dataDir], {
      stdout,
      stderr: new PassThrough(),
      env: {},
      cwd: process.cwd(),
      stopSignal,
    });
    await expect.poll(() => printed, { timeout: 10_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = printed.match(/(http:\/\/127\.0\.0\.1:\d+)/)?.[1];

    const response = await fetch(`${url}/api/health`);
    const body = await response.json();
    stop("SIGTERM");
    const code = await running;

    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(body).toMatchObject({ status: "ok", remediation: "dry-run" });
    expect(code).toBe(0);
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a RIPOSTE_TEST_WAIT_SCALE that is not a fraction, naming it, before it listens", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = "";
    let errors = "";
    stdout.on("data", (chunk) => (printed += chunk));
    stderr.on("data", (chunk) => (errors += chunk));
    const dataDir = mkdtempSync(join(tmpdir(), "riposte-serve-cli-"));

    const code = await main(["serve", "--port", "0", "--no-demo", "--log-level", "silent", "--data-dir", dataDir], {
      stdout,
      stderr,
      env: { RIPOSTE_TEST_WAIT_SCALE: "10" },
      cwd: process.cwd(),
      stopSignal: new Promise<string>(() => {}),
    });
    rmSync(dataDir, { recursive: true, force: true });

    expect(code).toBe(2);
    expect(errors).toContain('RIPOSTE_TEST_WAIT_SCALE must be a number above 0 and at most 1 (got "10")');
    expect(printed).not.toContain("listening");
  });
});
