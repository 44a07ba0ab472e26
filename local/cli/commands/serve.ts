import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DashboardTokensError, resolveDashboardToken, resolveDashboardTokens } from "../../../core/api/auth.js";
import { IntakeTokenError } from "../../../core/api/intake-token.js";
import type { ApiToken } from "../../../core/api/types.js";
import { loadConfig, parseConfig } from "../../../core/config/load.js";
import type { RiposteConfig } from "../../../core/config/schema.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../../../core/log.js";
import { REMEDIATION_MODES, type RemediationMode } from "../../../core/model/incident.js";
import { WaitScaleError } from "../../interpreter/wait-scale.js";
import { packageRoot } from "../../package-root.js";
import { startRuntime } from "../../runtime/runtime.js";
import { SourceConfigError } from "../../sources/index.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { loadCliRules } from "../rules-dir.js";
import { VERSION } from "../version.js";
import { startupFailure } from "./serve-errors.js";

const usage = `Usage: riposte serve [options]

Run Riposte on this machine: intake, detections, workflows, store and the dashboard.

Options:
  --host HOST               address to bind (default 127.0.0.1)
  --port PORT               port to listen on (default 8787)
  --data-dir DIR            where the SQLite files live (default ./.riposte)
  --config FILE             configuration file (JSON; see riposte config check)
  --no-demo                 do not replay the demo storyline into an empty store
  --remediate MODE          dry-run (the default), live or off; overrides remediation.mode
  --log-level LEVEL         debug, info (default), warn, error or silent
  --watch DIR               read CloudTrail log files appearing in DIR (sources.watch.dir)
  --sqs-url URL             read EventBridge events from an SQS queue (sources.sqs.queueUrl)
  --cloudtrail-poll         poll CloudTrail LookupEvents of the account (sources.cloudtrailPoll)
  --rules PATH              your own rules: a directory of rule files (YAML or JSON) or one file,
                            run live beside the built-in detections (default: rules.dir); a file
                            that does not load is reported (file, field, problem) and skipped
  --reset-corrupt-db        a damaged database in the data directory is renamed
                            <file>.corrupt-<time> and an empty one started (default: refuse)
  -h, --help                show this help

The dashboard token is RIPOSTE_DASHBOARD_TOKEN when set, else a new one printed at start.
RIPOSTE_DASHBOARD_TOKENS gives each person a token, so approvals record who gave them:
name=token pairs separated by commas or newlines (RIPOSTE_DASHBOARD_TOKEN, if also set, is
"dashboard"); each person enters their own token in the dashboard's Settings.
POST /api/events takes only RIPOSTE_INTAKE_TOKEN (at least 16 characters, unlike any dashboard
token); without it event intake is off. Incidents from posted events wait for approval unless
remediation.autoRemediateIntake is true.
Live remediation and the AWS sources use the standard AWS credential chain, AWS_REGION and
AWS_ENDPOINT_URL.

One data directory serves one riposte serve at a time. Exit codes: 0 stopped by SIGINT/SIGTERM;
1 a database in the data directory is damaged; 2 a bad flag or configuration, or the data
directory is in use by another riposte serve or not writable; 70 an internal error.
`;

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  configPath?: string;
  demo: boolean;
  /** Absent: the configuration's `remediation.mode` (dry-run by default). */
  remediate?: RemediationMode;
  logLevel: LogLevel;
  watch?: string;
  sqsUrl?: string;
  cloudtrailPoll: boolean;
  resetCorruptDatabases: boolean;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${String(value)}")`);
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Validate serve's flags into options; bad values are usage errors naming the flag. */
export function parseServeOptions(values: Record<string, unknown>): ServeOptions {
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535 (got "${String(values.port)}")`);
  }
  const sqsUrl = text(values["sqs-url"]);
  if (sqsUrl !== undefined && !/^https?:\/\/\S+$/.test(sqsUrl)) {
    throw new UsageError(
      `--sqs-url must be a queue URL such as https://sqs.eu-west-1.amazonaws.com/123456789012/riposte (got "${sqsUrl}")`,
    );
  }
  return {
    host: text(values.host) ?? "127.0.0.1",
    port,
    dataDir: text(values["data-dir"]) ?? "./.riposte",
    configPath: text(values.config),
    demo: values["no-demo"] !== true,
    remediate: oneOf("remediate", values.remediate, REMEDIATION_MODES),
    logLevel: oneOf("log-level", values["log-level"], LOG_LEVELS) ?? "info",
    watch: text(values.watch),
    sqsUrl,
    cloudtrailPoll: values["cloudtrail-poll"] === true,
    resetCorruptDatabases: values["reset-corrupt-db"] === true,
  };
}

/** The configuration with the flags folded in (flags win), validated again as one. */
export function effectiveConfig(config: RiposteConfig, options: ServeOptions): RiposteConfig {
  const sources = config.sources;
  return parseConfig(
    {
      ...config,
      remediation: { ...config.remediation, mode: options.remediate ?? config.remediation.mode },
      sources: {
        ...sources,
        watch: { ...sources.watch, ...(options.watch ? { dir: resolve(options.watch) } : {}) },
        sqs: { ...sources.sqs, ...(options.sqsUrl ? { queueUrl: options.sqsUrl } : {}) },
        cloudtrailPoll: {
          ...sources.cloudtrailPoll,
          enabled: sources.cloudtrailPoll.enabled || options.cloudtrailPoll,
        },
      },
    },
    "the configuration with the serve flags",
  );
}

/**
 * The dashboard's tokens: one per person from RIPOSTE_DASHBOARD_TOKENS when set (a malformed
 * value is a usage error naming the entry), else the single RIPOSTE_DASHBOARD_TOKEN or a new one.
 */
function dashboardAccess(env: Record<string, string | undefined>): {
  token: string | ApiToken[];
  generated: boolean;
  weak: boolean;
} {
  let named: ReturnType<typeof resolveDashboardTokens>;
  try {
    named = resolveDashboardTokens(env);
  } catch (error) {
    if (error instanceof DashboardTokensError) throw new UsageError(error.message);
    throw error;
  }
  return named ? { token: named.tokens, generated: false, weak: named.weak } : resolveDashboardToken(env);
}

const webRoot = join(packageRoot(import.meta.url), "web", "dist");

export const serveCommand: Command = {
  name: "serve",
  summary: "run Riposte on this machine (API, workflows, dashboard)",
  usage,
  options: {
    host: { type: "string" },
    port: { type: "string" },
    "data-dir": { type: "string" },
    config: { type: "string" },
    "no-demo": { type: "boolean" },
    remediate: { type: "string" },
    "log-level": { type: "string" },
    watch: { type: "string" },
    "sqs-url": { type: "string" },
    "cloudtrail-poll": { type: "boolean" },
    "reset-corrupt-db": { type: "boolean" },
    rules: { type: "string" },
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const options = parseServeOptions(values);
    const config = effectiveConfig(loadConfig(options.configPath), options);
    const logger = createLogger({ level: options.logLevel, fields: { service: "riposte" } });
    // A rule file that does not load is reported and skipped: the server runs with the others.
    const own = await loadCliRules("serve", values.rules, config, io);
    if (own.dir !== undefined)
      logger.info("own rules loaded", { dir: own.dir, rules: own.rules.length, problems: own.problems.length });
    const { token, generated, weak } = dashboardAccess(io.env);
    if (weak) logger.warn("RIPOSTE_DASHBOARD_TOKEN is short; use at least 16 random characters");
    const stopSignal = io.stopSignal ?? new Promise<string>(() => {});
    let runtime: Awaited<ReturnType<typeof startRuntime>>;
    try {
      runtime = await startRuntime({
        host: options.host,
        port: options.port,
        dataDir: resolve(io.cwd, options.dataDir),
        config,
        demo: options.demo,
        token,
        env: io.env,
        logger,
        webRoot: existsSync(webRoot) ? webRoot : undefined,
        resetCorruptDatabases: options.resetCorruptDatabases,
        rules: own.rules.map((loaded) => loaded.rule),
      });
    } catch (error) {
      if (error instanceof SourceConfigError || error instanceof IntakeTokenError || error instanceof WaitScaleError)
        throw new UsageError(error.message);
      const failure = startupFailure(error);
      if (!failure) throw error;
      io.stderr.write(`riposte serve: ${failure.line}\n`);
      return failure.code;
    }
    io.stdout.write(`Riposte ${VERSION} listening on ${runtime.url} (remediation: ${runtime.mode})\n`);
    io.stdout.write(
      Array.isArray(token)
        ? `Dashboard: ${runtime.url}/ (open it and enter your own token from RIPOSTE_DASHBOARD_TOKENS in Settings)\n`
        : generated
          ? `Dashboard: ${runtime.dashboardUrl}\n`
          : `Dashboard: ${runtime.url}/#token=… (the token in RIPOSTE_DASHBOARD_TOKEN)\n`,
    );
    if (!io.env.RIPOSTE_INTAKE_TOKEN?.trim())
      io.stdout.write("Event intake (POST /api/events) is off: set RIPOSTE_INTAKE_TOKEN to accept events\n");
    if (!existsSync(webRoot))
      io.stdout.write("(the dashboard is not built: run npm run build:web, or use npm start)\n");
    const signal = await stopSignal;
    logger.info("stopping", { signal });
    await runtime.close();
    logger.info("stopped");
    return EXIT.ok;
  },
};
