import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../../core/model/exception.js";
import { SqliteStore } from "../../../core/store/sqlite/store.js";
import { main } from "../main.js";

function capture(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

const stored = (id: string, expiresAt: string): ExceptionRecord => ({
  id,
  detection: "sg-ssh-open-world",
  scope: { kind: "principal", value: "arn:aws:iam::123456789012:user/alice\u001b[31m" },
  owner: "U0APPROVER",
  reason: "bastion rebuild\nsecond line",
  createdAt: "2026-01-01T00:00:00Z",
  expiresAt,
  createdBy: "slack:U0APPROVER",
  source: "slack",
});

describe("riposte exceptions list", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "riposte-cli-exceptions-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function seed() {
    const store = new SqliteStore({ dataDir: join(dir, "data") });
    await store.putException(stored("slk-holding", inHours(5)));
    await store.putException(stored("slk-expired", inHours(-5)));
    store.close();
    await writeFile(
      join(dir, "riposte.json"),
      JSON.stringify({
        exceptions: {
          declared: [
            {
              id: "office",
              detection: "console-login-new-ip",
              cidr: "198.51.100.0/24",
              owner: "it",
              reason: "office range",
              expiresAt: inHours(10),
            },
          ],
        },
      }),
    );
  }

  it("exports stored and declared exceptions as JSON, the latest expiry first", async () => {
    await seed();
    const c = capture(dir);

    const code = await main(
      ["exceptions", "list", "--format", "json", "--data-dir", "data", "--config", "riposte.json"],
      c.io,
    );

    expect(code).toBe(0);
    expect(JSON.parse(c.out()).map((exception: ExceptionRecord) => [exception.id, exception.source])).toEqual([
      ["cfg-office", "config"],
      ["slk-holding", "slack"],
      ["slk-expired", "slack"],
    ]);
  });

  it("prints a table, only the holding ones with --active, with control characters flattened", async () => {
    await seed();
    const c = capture(dir);

    const code = await main(["exceptions", "list", "--active", "--data-dir", "data"], c.io);
    const lines = c.out().trim().split("\n");

    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^ID\s+STATE\s+EXPIRES\s+DETECTION\s+SCOPE\s+OWNER\s+SOURCE\s+REASON$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(["slk-holding"]);
    expect(c.out()).not.toContain("\u001b");
    expect(lines[1]).toContain("bastion rebuild second line");
  });

  it("lists the declared ones without creating a database when there is none", async () => {
    const c = capture(dir);

    const code = await main(["exceptions", "list", "--format", "json", "--data-dir", "nothing-here"], c.io);

    expect(code).toBe(0);
    expect(JSON.parse(c.out())).toEqual([]);
    expect(existsSync(join(dir, "nothing-here"))).toBe(false);
  });

  it("refuses an unknown format", async () => {
    const c = capture(dir);

    expect(await main(["exceptions", "list", "--format", "csv"], c.io)).toBe(2);
  });
});
