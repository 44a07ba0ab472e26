import { performance } from "node:perf_hooks";
import { storeExecutionReader } from "../../core/api/executions.js";
import { intakeTokens } from "../../core/api/intake-token.js";
import { decideApproval } from "../../core/approval/decide.js";
import { resumeDecidedApprovals } from "../../core/approval/resume.js";
import type { RiposteConfig } from "../../core/config/schema.js";
import { ec2Describer } from "../../core/detections/describe-ec2.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { correlationBaselines } from "../../core/enrich/baselines.js";
import { exceptionsApi } from "../../core/exceptions/api.js";
import { handleSlackInteraction } from "../../core/interaction/interaction.js";
import type { Logger } from "../../core/log.js";
import type { HealthResponse } from "../../core/model/api.js";
import type { RemediationMode } from "../../core/model/incident.js";
import { slackSecretsFromEnv } from "../../core/notify/secrets.js";
import { createAwsGateway } from "../../core/remediation/aws/gateway.js";
import type { UserRule } from "../../core/rules/format.js";
import { SqliteCorrelationStore } from "../../core/store/sqlite/correlation.js";
import { SqliteActionLedger } from "../../core/store/sqlite/ledger.js";
import { openSqliteStore, type SqliteStore } from "../../core/store/sqlite/store.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { VERSION } from "../cli/version.js";
import { createDemoSource, type DemoSource } from "../demo/player.js";
import { testWaitScale } from "../interpreter/wait-scale.js";
import { type LocalServer, startLocalServer } from "../server/index.js";
import { configuredSources, type EventSource, type SourceClients } from "../sources/index.js";
import type { SourceContext } from "../sources/source.js";
import { localAwsOptions } from "./aws-options.js";
import { prepareDataDir } from "./data-dir.js";
import { openDetectionDatabase } from "./detection-db.js";
import { createDetectionLoop, type DetectionLoop } from "./detection-loop.js";
import { localHealth } from "./health.js";
import { EventInbox } from "./inbox.js";
import { createInboxIntake, intakeBounds } from "./intake.js";
import { type Jobs, startJobs } from "./jobs.js";
import { AsyncLock } from "./lock.js";
import { FindingOutbox } from "./outbox.js";
import { type CallerIdentity, withOwnIdentity } from "./own-identity.js";
import { SourcePositions } from "./positions.js";
import { backgroundSlackFollowUps } from "./slack-follow-ups.js";
import { createLocalWorkflowEngine, type LocalWorkflowEngine } from "./workflow-engine.js";

/**
 * `riposte serve` assembled: the SQLite store and the detection database in the data directory,
 * the durable intake (inbox) fed by `POST /api/events`, the live sources and the demo, the one
 * detection loop, the workflows in the local interpreter with the real task handlers, the
 * periodic jobs, and the HTTP/WebSocket server with the dashboard. `close()` shuts it down in
 * the order that loses nothing: intake and sources first, then detection, jobs, workflows
 * (checkpointed), and the databases last.
 */

export interface RuntimeOptions {
  host: string;
  port: number;
  dataDir: string;
  /** The validated configuration; the serve flags are already folded into it. */
  config: RiposteConfig;
  /** Replay the demo storyline into an empty store. */
  demo: boolean;
  /** The dashboard token (see `resolveDashboardToken`), or one per person (`resolveDashboardTokens`). */
  token: Parameters<typeof startLocalServer>[0]["token"];
  env: Record<string, string | undefined>;
  logger: Logger;
  /** The built dashboard (web/dist), if there is one. */
  webRoot?: string;
  /** SQLite durability; `full` (fsync every commit) unless a benchmark says otherwise. */
  synchronous?: "full" | "normal";
  /** Clients for the live sources (tests point them at emulators). */
  clients?: SourceClients;
  /** Who live remediation acts as (STS GetCallerIdentity unless a test says). */
  callerIdentity?: CallerIdentity;
  /** Move a damaged database aside and start with an empty one, instead of refusing to start. */
  resetCorruptDatabases?: boolean;
  /** Users' rules (a rules directory), run live after the built-in detections. */
  rules?: readonly UserRule[];
}

export interface Runtime {
  url: string;
  /** The dashboard link, with the token in its fragment (a single token; with named ones, none). */
  dashboardUrl: string;
  mode: RemediationMode;
  store: SqliteStore;
  workflows: LocalWorkflowEngine;
  detection: DetectionLoop;
  sources: readonly EventSource[];
  demo?: DemoSource;
  server: LocalServer;
  health(): HealthResponse;
  /** Milliseconds from the start of `startRuntime` until it was serving. */
  startupMs: number;
  /** Executions resumed from a previous run. */
  resumed: number;
  close(): Promise<void>;
}

/** Start everything; on failure, whatever was opened is closed again before the error is thrown. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const began = performance.now();
  const { logger } = options;
  const mode = options.config.remediation.mode;
  const aws = localAwsOptions(options.env);
  const waitScale = testWaitScale(options.env, logger);
  const config =
    mode === "live"
      ? await withOwnIdentity(
          options.config,
          options.callerIdentity ??
            (() =>
              createAwsGateway({ aws, region: aws.region ?? "us-east-1", logger }).send(
                "sts",
                "GetCallerIdentity",
                {},
              )),
          logger,
        )
      : options.config;
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error("shutdown step failed", { error });
      }
    }
  };

  try {
    // Held alone, writable, damaged databases refused or moved aside; released last on close.
    const dataDir = prepareDataDir({ ...options, version: VERSION });
    closers.push(() => dataDir.release());
    const store = openSqliteStore({ dataDir: options.dataDir, synchronous: options.synchronous, logger });
    closers.push(() => store.close());
    const detectionDb = openDetectionDatabase(options.dataDir, { synchronous: options.synchronous });
    closers.push(() => {
      if (detectionDb.open) detectionDb.close();
    });
    const lock = new AsyncLock();
    const inbox = new EventInbox(detectionDb, lock);
    const outbox = new FindingOutbox(detectionDb);
    const positions = new SourcePositions(detectionDb, lock);
    const state = new SqliteCorrelationStore(detectionDb);

    const deps: Omit<TaskDeps, "callbacks"> = {
      config,
      store,
      logger,
      now: () => new Date(),
      aws,
      mode,
      secrets: slackSecretsFromEnv(options.env),
      ledger: new SqliteActionLedger(store.db),
      baselines: correlationBaselines(state),
      // The open task accepts findings of these rules only, as on AWS.
      rules: options.rules ?? [],
    };
    const workflows = createLocalWorkflowEngine({ deps, executions: store, region: aws.region, waitScale });
    closers.push(() => workflows.close({ graceMs: config.runtime.shutdownGraceSeconds * 1000 }));

    const describe = mode === "live" ? ec2Describer(aws) : undefined;
    const detection = createDetectionLoop({
      inbox,
      outbox,
      lock,
      createEngine: () => createDetectionEngine({ config, state, logger, describe, rules: options.rules }),
      start: (finding) => workflows.startFinding(finding),
      durable: () => store.durable(),
      batchSize: config.runtime.batchSize,
      settleMs: config.runtime.settleMs,
      logger: logger.child({ component: "detection" }),
    });
    closers.push(() => detection.stop());
    inbox.onArrival(() => detection.wake());

    // Executions of the previous run continue (an incident awaiting approval keeps waiting),
    // then findings and events it left queued are worked off.
    const resumed = await workflows.resume();
    if (resumed > 0) logger.info("executions resumed", { executions: resumed });
    // Decisions a crash saved but did not hand over: now that every waiting task's token is
    // registered again, and before anyone can decide, each reaches its workflow once.
    const decisions = await resumeDecidedApprovals(workflows.deps);
    if (decisions > 0) logger.info("approval decisions resumed", { approvals: decisions });
    detection.start();

    const jobs: Jobs = startJobs({
      deps: workflows.deps,
      inbox,
      lock,
      state,
      latestEventMs: () => detection.stats().latestEventMs,
      everyMs: config.runtime.jobsSeconds * 1000,
      dedupeMs: config.runtime.dedupeHours * 3_600_000,
      // Events later than the dedupe window are not even recognised as repeats; within it they
      // still find their correlation windows.
      sweepLagMs: config.runtime.dedupeHours * 3_600_000,
      logger: logger.child({ component: "jobs" }),
    });
    closers.push(() => jobs.stop());

    const context: SourceContext = { inbox, positions, logger, now: Date.now };
    const sources: EventSource[] = configuredSources(config, context, aws, options.clients);
    let demo: DemoSource | undefined;
    if (options.demo) {
      demo = createDemoSource({
        ...context,
        durationMs: config.runtime.demoSeconds * 1000,
        shouldStart: async () =>
          (await store.listIncidents({ limit: 1 })).items.length === 0 && inbox.backlog().pending === 0,
        store,
        decide: (decision) =>
          decideApproval({ ...decision, approver: "demo (scripted)", via: "dashboard" }, workflows.deps),
      });
    }
    const live = demo ? [...sources, demo] : sources;

    const startedAt = new Date().toISOString();
    const health = localHealth({
      version: VERSION,
      startedAt,
      mode,
      inbox,
      outbox,
      loop: detection,
      sources: () => live.map((source) => source.status()),
      now: Date.now,
    });
    const dashboardTokens =
      typeof options.token === "string" ? [{ token: options.token, principal: "dashboard" }] : options.token;
    // Drained after the server closes (closers run in reverse): no click is left half-told.
    const slackFollowUps = backgroundSlackFollowUps(workflows.deps, logger.child({ component: "slack" }));
    closers.push(() => slackFollowUps.drain());
    const server = await startLocalServer({
      host: options.host,
      port: options.port,
      store,
      token: options.token,
      intake: createInboxIntake(inbox, { bounds: intakeBounds(config.runtime) }),
      intakeTokens: intakeTokens(options.env.RIPOSTE_INTAKE_TOKEN, "RIPOSTE_INTAKE_TOKEN", dashboardTokens),
      decideApproval: (decision) => decideApproval(decision, workflows.deps),
      exceptions: exceptionsApi(workflows.deps),
      executions: storeExecutionReader(store, (arn) => {
        try {
          return workflows.interpreter.describeStateMachine(arn).definition;
        } catch {
          return undefined; // a machine of another configuration: the history still shows
        }
      }),
      slack: (request) => handleSlackInteraction(request, workflows.deps, slackFollowUps.send),
      health,
      remediation: mode,
      webRoot: options.webRoot,
      allowedOrigins: config.api.allowedOrigins,
      allowedHosts: config.api.allowedHosts,
      limits: { maxBodyBytes: config.api.maxBodyBytes, maxEventsBodyBytes: config.api.maxEventsBodyBytes },
      heartbeatSeconds: config.api.heartbeatSeconds,
      logger: logger.child({ component: "server" }),
    });
    // Intake stops first on shutdown: the server, then every source.
    closers.push(async () => {
      await Promise.all(live.map((source) => source.stop()));
    });
    closers.push(() => server.close());
    for (const source of live) source.start();

    const startupMs = Math.round(performance.now() - began);
    logger.info("riposte ready", { url: server.url, mode, startupMs, sources: live.map((source) => source.name) });
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      dashboardUrl: typeof options.token === "string" ? server.dashboardUrl(options.token) : `${server.url}/`,
      mode,
      store,
      workflows,
      detection,
      sources,
      demo,
      server,
      health,
      startupMs,
      resumed,
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
