import { PassThrough } from "node:stream";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { IncidentDetailResponse } from "../../../core/model/api.js";
import { api, tempDir, waitFor } from "../../../test/serve/support/riposte.js";
import { CATEGORY_SCENARIOS } from "../../../test/serve/support/scenarios.js";
import { COMMANDS, main } from "../main.js";

// main() imports a command only when it runs: load serve and its modules first, so the polls
// below time serve's start-up, not the transform of its import graph on a busy machine.
beforeAll(async () => {
  await COMMANDS.find((command) => command.name === "serve")!.load();
}, 120_000);

/**
 * `riposte serve` with RIPOSTE_DASHBOARD_TOKENS: one token per person, so a dashboard approval
 * records who gave it; a malformed value stops serve with a message that names the entry.
 */

const ALICE = "alice-token-7f3a9c1e5b2d8f60";
const BOB = "bob-token-2e8f60a9c1e5b7f3d4";
const SHARED = "shared-token-5b2d8f607f3a9c1e";
const INTAKE = "intake-token-9c1e5b2d8f607f3a";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function capture() {
  const stream = new PassThrough();
  const output = { text: "" };
  stream.on("data", (chunk) => (output.text += chunk));
  return { stream, output };
}

function start(env: Record<string, string>) {
  const dir = tempDir("riposte-serve-tokens-");
  dirs.push(dir);
  const stdout = capture();
  const stderr = capture();
  let stop: (signal: string) => void = () => {};
  const stopSignal = new Promise<string>((resolve) => (stop = resolve));
  const running = main(["serve", "--port", "0", "--no-demo", "--log-level", "silent", "--data-dir", dir.path], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    cwd: process.cwd(),
    stopSignal,
  });
  return { running, stdout: stdout.output, stderr: stderr.output, stop };
}

describe("riposte serve with RIPOSTE_DASHBOARD_TOKENS", () => {
  it("records the person whose token approved, and prints a dashboard link without a token", async () => {
    const served = start({
      RIPOSTE_DASHBOARD_TOKENS: `alice@example.com=${ALICE}\nbob=${BOB}`,
      RIPOSTE_DASHBOARD_TOKEN: SHARED,
      RIPOSTE_INTAKE_TOKEN: INTAKE,
    });
    await expect.poll(() => served.stdout.text, { timeout: 15_000 }).toMatch(/Dashboard: /);
    const url = served.stdout.text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1] as string;
    const scenario = CATEGORY_SCENARIOS.find((s) => s.awaitsApproval);
    const byDashboard = await api(url, "/api/events", {
      method: "POST",
      body: { Records: scenario?.records },
      token: ALICE,
    });
    const posted = await api<{ accepted: number }>(url, "/api/events", {
      method: "POST",
      body: { Records: scenario?.records },
      token: INTAKE,
    });
    const waiting = await waitFor("an incident awaiting approval", async () => {
      const list = await api<{ items: { id: string; status: string }[] }>(url, "/api/incidents", { token: SHARED });
      return list.body.items.find((item) => item.status === "AWAITING_APPROVAL");
    });

    const refused = await api(url, `/api/incidents/${encodeURIComponent(waiting.id)}/approval`, {
      method: "POST",
      body: { decision: "approve" },
      token: `${BOB}x`,
    });
    const approval = await api<{ approver: string }>(url, `/api/incidents/${encodeURIComponent(waiting.id)}/approval`, {
      method: "POST",
      body: { decision: "approve", comment: "bob checked with the key's owner" },
      token: BOB,
    });
    const detail = await api<IncidentDetailResponse>(url, `/api/incidents/${encodeURIComponent(waiting.id)}`, {
      token: ALICE,
    });
    served.stop("SIGTERM");
    const code = await served.running;

    expect(byDashboard.status).toBe(401);
    expect(posted.status).toBe(202);
    expect(refused.status).toBe(401);
    expect(approval.status).toBe(200);
    expect(approval.body.approver).toBe("bob");
    expect(detail.body.incident.approvals).toMatchObject([{ decision: "approve", approver: "bob", via: "dashboard" }]);
    expect(served.stdout.text).toContain(
      `Dashboard: ${url}/ (open it and enter your own token from RIPOSTE_DASHBOARD_TOKENS in Settings)`,
    );
    expect(served.stdout.text).not.toContain("#token");
    for (const token of [ALICE, BOB, SHARED, INTAKE])
      expect(served.stdout.text + served.stderr.text).not.toContain(token);
    expect(code).toBe(0);
  }, 30_000);

  it("refuses a malformed value with exit 2, naming the variable and the entry but never a token", async () => {
    const served = start({ RIPOSTE_DASHBOARD_TOKENS: `alice=${ALICE},bob=${ALICE}` });
    const short = start({ RIPOSTE_DASHBOARD_TOKENS: `alice=${ALICE},bob=${BOB.slice(0, 15)}` });

    const code = await served.running;
    const shortCode = await short.running;

    expect(code).toBe(2);
    expect(served.stderr.text).toContain(
      "riposte serve: RIPOSTE_DASHBOARD_TOKENS: entries 1 and 2 have the same token",
    );
    expect(shortCode).toBe(2);
    expect(short.stderr.text).toContain("RIPOSTE_DASHBOARD_TOKENS: entry 2: the token is too short");
    for (const output of [served, short]) {
      expect(output.stdout.text).toBe("");
      expect(output.stderr.text).not.toContain(ALICE);
      expect(output.stderr.text).not.toContain(BOB.slice(0, 15));
    }
  });

  it("refuses an intake token that is also a dashboard token, with exit 2 and without echoing it", async () => {
    const served = start({ RIPOSTE_DASHBOARD_TOKEN: SHARED, RIPOSTE_INTAKE_TOKEN: SHARED });

    const code = await served.running;

    expect(code).toBe(2);
    expect(served.stderr.text).toContain("RIPOSTE_INTAKE_TOKEN must differ from every dashboard token");
    expect(served.stderr.text).not.toContain(SHARED);
  });
});
