import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../../core/config/load.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../../../core/log.js";
import { REMEDIATION_MODES, type RemediationMode } from "../../../core/model/incident.js";
import { sendJson, startHttpServer } from "../../server/http.js";
import { type Command, EXIT, UsageError } from "../command.js";
import { VERSION } from "../version.js";

const usage = `Usage: riposte serve [options]

Run Riposte on this machine: intake, detections, workflows, store and the dashboard.

Options:
  --host HOST               address to bind (default 127.0.0.1)
  --port PORT               port to listen on (default 8787)
  --data-dir DIR            where the SQLite store lives (default ./.riposte)
  --config FILE             configuration file (JSON; see riposte config check)
  --no-demo                 do not replay the demo storyline into an empty store
  --remediate MODE          dry-run (default), live or off
  --log-level LEVEL         debug, info (default), warn, error or silent
  -h, --help                show this help
`;

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  configPath?: string;
  demo: boolean;
  remediate: RemediationMode;
  logLevel: LogLevel;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${String(value)}")`);
}

/** Validate serve's flags into options; bad values are usage errors naming the flag. */
export function parseServeOptions(values: Record<string, unknown>): ServeOptions {
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535 (got "${String(values.port)}")`);
  }
  return {
    host: typeof values.host === "string" ? values.host : "127.0.0.1",
    port,
    dataDir: typeof values["data-dir"] === "string" ? values["data-dir"] : "./.riposte",
    configPath: typeof values.config === "string" ? values.config : undefined,
    demo: values["no-demo"] !== true,
    remediate: oneOf("remediate", values.remediate, REMEDIATION_MODES, "dry-run"),
    logLevel: oneOf("log-level", values["log-level"], LOG_LEVELS, "info"),
  };
}

const webRoot = fileURLToPath(new URL("../../../web/dist", import.meta.url));

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
  },
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const options = parseServeOptions(values);
    const config = loadConfig(options.configPath);
    const logger = createLogger({ level: options.logLevel, fields: { service: "riposte" } });
    const startedAt = new Date().toISOString();
    const server = await startHttpServer({
      host: options.host,
      port: options.port,
      logger,
      webRoot: existsSync(webRoot) ? webRoot : undefined,
      routes: [
        (req, res, url) => {
          if (req.method !== "GET" || url.pathname !== "/api/health") return false;
          sendJson(res, 200, {
            status: "ok",
            version: VERSION,
            startedAt,
            remediation: options.remediate ?? config.remediation.mode,
          });
          return true;
        },
      ],
    });
    logger.info("listening", { url: server.url });
    io.stdout.write(`Riposte ${VERSION} listening on ${server.url}\n`);
    const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
    logger.info("stopping", { signal });
    await server.close();
    return EXIT.ok;
  },
};
