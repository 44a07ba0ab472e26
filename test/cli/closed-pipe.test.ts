import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The CLI's stdout closed by its reader before the CLI writes, as `| head -1` does after one line. */
function runAndCloseEarly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/riposte.mjs", ...args], { cwd: repoRoot });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.destroy();
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

describe("riposte writing to a pipe that closes early", { timeout: 120_000 }, () => {
  it("stops quietly with status 0 instead of an EPIPE stack trace", async () => {
    const { code, stderr } = await runAndCloseEarly(["rules", "list"]);

    expect(stderr).not.toMatch(/EPIPE|internal error|Unhandled/);
    expect(code).toBe(0);
  });
});
