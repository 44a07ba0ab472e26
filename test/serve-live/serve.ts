import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { IncidentDetailResponse } from "../../core/model/api.js";
import type { HistoryEvent } from "../../core/model/history.js";
import type { Incident } from "../../core/model/incident.js";
import type { IncidentStatus } from "../../core/model/status.js";
import { REGION } from "../fixtures/events/cloudtrail.js";
import type { Scenario } from "../fixtures/events/scenarios.js";
import { type MotoServer, motoClientConfig, startMoto } from "../support/moto.js";

/**
 * The real `riposte serve` process against moto, for the issue 16 end-to-end suites: moto stands
 * in for AWS through AWS_ENDPOINT_URL and the credential chain's environment variables, CloudTrail
 * records are posted to the event intake (`POST /api/events`, the intake token), incidents are read
 * and approved through the API the dashboard uses. One moto and one serve per file.
 *
 * Serve runs with RIPOSTE_TEST_WAIT_SCALE (local/interpreter/wait-scale.ts): moto applies a change
 * at once, so the workflows' propagation Wait states (5–15 s of the same ASL AWS runs) still run,
 * in their history, but last a hundredth of their time.
 */

const DASHBOARD_TOKEN = "serve-live-dashboard-token-0123456789";
const INTAKE_TOKEN = "serve-live-intake-token-9876543210";
const WAIT_SCALE = "0.01";
/** How long serve may take to say it listens. */
const START_MS = 45_000;
/** Long enough for a workflow with its propagation wait and verify re-reads on a shared, busy machine. */
const SETTLE_MS = 45_000;
/** The suites' options: a test may wait for a whole workflow (`settle`). */
export const SUITE_OPTIONS = { timeout: SETTLE_MS + 15_000 };

type Json = Record<string, unknown>;

export interface ServeLive {
  moto: MotoServer;
  url: string;
  /** A client of the emulated account (`new EC2Client(live.aws())`). */
  aws(): ReturnType<typeof motoClientConfig>;
  /** Post CloudTrail records to the intake as one `{"Records": [...]}` body. */
  deliver(...records: Json[]): Promise<void>;
  /**
   * The incident `detection` opened (on `resource`, when given: its name or an ARN ending in it),
   * once it reaches one of `statuses`.
   */
  settle(detection: string, statuses: IncidentStatus[], resource?: string): Promise<Incident>;
  /** Approve an incident as the dashboard does (`POST /api/incidents/:id/approval`). */
  approve(id: string): Promise<void>;
  incident(id: string): Promise<Incident>;
  /** The incident's execution history, as the dashboard reads it. */
  history(id: string): Promise<HistoryEvent[]>;
  stop(): Promise<void>;
}

const isConnectionReset = (error: unknown) =>
  (error as { cause?: { code?: unknown } } | undefined)?.cause?.code === "ECONNRESET";

const sameResource = (incident: string, name: string) =>
  incident === name || incident.endsWith(`:${name}`) || incident.endsWith(`/${name}`);

/** Now, in CloudTrail's format (seconds, `Z`): the intake refuses events from the future only. */
export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/**
 * Start moto and `riposte serve` (`--remediate live`, or the default dry-run) with intake events remediated like any other
 * (`remediation.autoRemediateIntake`), so a detection's own response (auto or approval) decides.
 */
export async function startServeLive(
  options: {
    mode?: "live" | "dry-run";
    /** Runs against moto before serve starts: more `remediation` settings (a WAF IP set's id, say). */
    remediation?: (aws: ReturnType<typeof motoClientConfig>) => Promise<Json>;
  } = {},
): Promise<ServeLive> {
  const { mode = "live" } = options;
  const moto = await startMoto();
  let extra: Json = {};
  try {
    if (options.remediation) extra = await options.remediation(motoClientConfig(moto.endpoint, REGION));
  } catch (error) {
    await moto.stop();
    throw error;
  }
  const dataDir = mkdtempSync(join(tmpdir(), "riposte-serve-live-"));
  const configPath = join(dataDir, "riposte.json");
  // Scores must not depend on when the suite runs: the scenarios' records carry the current time,
  // and the off-hours factor (+10) decides whether a medium detection reaches the remediation
  // threshold. No working days: every hour is off-hours, the same on Monday morning as at night.
  const scoring = { workingHours: { days: [] } };
  writeFileSync(configPath, JSON.stringify({ scoring, remediation: { autoRemediateIntake: true, ...extra } }));
  const args = ["bin/riposte.mjs", "serve", "--port", "0", "--no-demo", "--data-dir", dataDir];
  args.push("--config", configPath, "--log-level", "warn");
  if (mode === "live") args.push("--remediate", "live");
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? "",
      NODE_NO_WARNINGS: "1",
      RIPOSTE_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
      RIPOSTE_INTAKE_TOKEN: INTAKE_TOKEN,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      RIPOSTE_TEST_WAIT_SCALE: WAIT_SCALE,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      // A serve that does not stop within 10 s is killed, so the suite never leaves it behind.
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await moto.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
  // Seconds on an idle machine; 30 s was overrun by a loaded one (two test files side by side on
  // 2 cores, with other work): 45 s, inside the 60 s hook timeout.
  const deadline = Date.now() + START_MS;
  while (!listening.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `riposte serve did not start within ${START_MS} ms (exit ${child.exitCode}): ${stdout}\n${stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = listening.exec(stdout)![1]!;
  const api = async (path: string, init: RequestInit = {}, token = DASHBOARD_TOKEN) => {
    const request = () =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
    const response = await request().catch((error: unknown) => {
      // A kept-alive connection the server closed as fetch reused it (seen on a loaded machine):
      // a read is asked again, once, on a new connection; anything else is the test's failure.
      if (init.method !== undefined || !isConnectionReset(error))
        throw new Error(`${path}: ${error}\n${stderr}`, { cause: error });
      return request();
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${body}\n${stderr}`);
    return JSON.parse(body) as unknown;
  };
  const detail = async (id: string) =>
    (await api(`/api/incidents/${encodeURIComponent(id)}`)) as IncidentDetailResponse;
  const incident = async (id: string) => (await detail(id)).incident;

  return {
    moto,
    url,
    aws: () => motoClientConfig(moto.endpoint, REGION),
    async deliver(...records) {
      const answer = (await api(
        "/api/events",
        { method: "POST", body: JSON.stringify({ Records: records }) },
        INTAKE_TOKEN,
      )) as {
        accepted: number;
        errors: unknown[];
      };
      expect(answer).toMatchObject({ accepted: records.length, errors: [] });
    },
    async settle(detection, statuses, resource) {
      const deadline = Date.now() + SETTLE_MS;
      let seen: unknown = [];
      while (Date.now() < deadline) {
        const page = (await api("/api/incidents?limit=100")) as {
          items: { id: string; detection: string; resource: string; status: IncidentStatus }[];
        };
        seen = page.items.map(({ detection, resource, status }) => ({ detection, resource, status }));
        const summary = page.items.find(
          (item) => item.detection === detection && (resource === undefined || sameResource(item.resource, resource)),
        );
        if (summary && statuses.includes(summary.status)) return incident(summary.id);
        await new Promise((done) => setTimeout(done, 250));
      }
      throw new Error(
        `no ${detection} incident${resource ? ` on ${resource}` : ""} reached ${statuses.join("/")} within ${SETTLE_MS} ms; incidents: ${JSON.stringify(seen)}\n${stderr}`,
      );
    },
    async approve(id) {
      await api(`/api/incidents/${encodeURIComponent(id)}/approval`, {
        method: "POST",
        body: JSON.stringify({ decision: "approve", comment: "end-to-end test" }),
      });
    },
    incident,
    history: async (id) => (await detail(id)).execution?.history ?? [],
    stop,
  };
}

/**
 * A scenario record pointed at the emulated resources: every occurrence of each fixture id (a
 * snapshot id, a key id, a database name) replaced by the id moto gave the resource.
 */
export function adapt(record: Json, ids: Record<string, string>): Json {
  let text = JSON.stringify(record);
  for (const [fixture, emulated] of Object.entries(ids)) text = text.replaceAll(fixture, emulated);
  return JSON.parse(text) as Json;
}

/**
 * The records of one firing scenario of test/fixtures/events/scenarios (by detection and name),
 * pointed at the emulated resources (`adapt`) and logged now.
 */
export function scenarioRecords(
  scenarios: readonly Scenario[],
  detection: string,
  name: string,
  ids: Record<string, string> = {},
): Json[] {
  const scenario = scenarios.find((candidate) => candidate.detection === detection && candidate.name === name);
  if (!scenario?.fires) throw new Error(`no firing scenario "${name}" of ${detection}`);
  const time = now();
  return scenario.records.map((record) => ({ ...adapt(record as Json, ids), eventTime: time }));
}
