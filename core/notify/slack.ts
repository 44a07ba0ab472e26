import { type ChatPostMessageArguments, type KnownBlock, LogLevel, WebClient } from "@slack/web-api";
import type { Logger } from "../log.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * The few Slack Web API calls Riposte makes, through the official client. `SLACK_API_URL`
 * (`secrets.slackApiUrl`) points it at a proxy or a local stand-in. Retries are bounded and
 * rate limits are not slept on: a Lambda must not wait half an hour for Slack.
 */

export interface SlackMessage {
  channel: string;
  text: string;
  blocks?: KnownBlock[];
}

export interface SlackApi {
  postMessage(
    message: SlackMessage & { threadTs?: string; broadcast?: boolean },
  ): Promise<{ channel: string; ts: string }>;
  update(message: SlackMessage & { ts: string }): Promise<void>;
  postEphemeral(message: { channel: string; user: string; text: string; threadTs?: string }): Promise<void>;
  /** users.lookupByEmail: the user's id, or undefined when no user has that email (`users_not_found`). */
  lookupUserByEmail(email: string): Promise<string | undefined>;
}

/** A Slack call that failed; `code` is Slack's error (`channel_not_found`) or `http_503`, `ratelimited`… */
export class SlackCallFailed extends Error {
  override readonly name = "SlackCallFailed";
  constructor(
    readonly method: string,
    readonly code: string,
    detail?: string,
  ) {
    super(`${method} failed: ${code}${detail ? ` (${detail})` : ""}`);
  }
}

interface WebApiError {
  code?: string;
  data?: { error?: string };
  statusCode?: number;
  retryAfter?: number;
  original?: Error;
  message?: string;
}

function failure(method: string, error: unknown): SlackCallFailed {
  const e = error as WebApiError;
  switch (e.code) {
    case "slack_webapi_platform_error":
      return new SlackCallFailed(method, e.data?.error ?? "unknown_error");
    case "slack_webapi_http_error":
      return new SlackCallFailed(method, `http_${e.statusCode ?? "error"}`);
    case "slack_webapi_rate_limited_error":
      return new SlackCallFailed(method, "ratelimited", `retry after ${e.retryAfter ?? "?"} s`);
    case "slack_webapi_request_error":
      return new SlackCallFailed(method, "request_error", e.original?.message);
    default:
      return new SlackCallFailed(method, "error", e.message ?? String(error));
  }
}

/** The client's own log lines, routed to ours as data (never as format strings). */
function clientLogger(logger: Logger) {
  let level = LogLevel.WARN;
  const write =
    (method: "debug" | "info" | "warn" | "error") =>
    (...parts: unknown[]) =>
      logger[method]("slack client", { detail: parts.map((part) => (typeof part === "string" ? part : String(part))) });
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

const clients = new Map<string, WebClient>();

function webClient(token: string, deps: TaskDeps): WebClient {
  const slack = deps.config.notify.slack;
  const retries = slack?.retries ?? 2;
  const timeout = slack?.timeoutMs ?? 5000;
  const apiUrl = deps.secrets.slackApiUrl;
  const key = JSON.stringify([token, apiUrl ?? "", retries, timeout]);
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(token, {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      retryConfig: { retries, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true },
      timeout,
      rejectRateLimitedCalls: true,
      // Method names are ours, but never let one turn into a request to another host.
      allowAbsoluteUrls: false,
      logger: clientLogger(deps.logger),
    });
    clients.set(key, client);
  }
  return client;
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failure(method, error);
  }
}

/** A Slack API for the deps' bot token, or undefined when no token is configured. */
export function slackApi(deps: TaskDeps): SlackApi | undefined {
  const token = deps.secrets.slackBotToken;
  if (!token) return undefined;
  const client = webClient(token, deps);
  return {
    async postMessage({ channel, text, blocks, threadTs, broadcast }) {
      const thread = threadTs ? { thread_ts: threadTs, ...(broadcast ? { reply_broadcast: true } : {}) } : {};
      const args = {
        channel,
        text,
        ...(blocks ? { blocks } : {}),
        ...thread,
        // Attacker-chosen URLs in our text must not unfurl into previews.
        unfurl_links: false,
        unfurl_media: false,
      } as ChatPostMessageArguments;
      const result = await call("chat.postMessage", () => client.chat.postMessage(args));
      if (!result.channel || !result.ts) throw new SlackCallFailed("chat.postMessage", "missing_ts");
      return { channel: result.channel, ts: result.ts };
    },
    async update({ channel, ts, text, blocks }) {
      await call("chat.update", () => client.chat.update({ channel, ts, text, ...(blocks ? { blocks } : {}) }));
    },
    async postEphemeral({ channel, user, text, threadTs }) {
      await call("chat.postEphemeral", () =>
        client.chat.postEphemeral({ channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
    },
    async lookupUserByEmail(email) {
      try {
        const result = await call("users.lookupByEmail", () => client.users.lookupByEmail({ email }));
        return result.user?.id;
      } catch (error) {
        if (error instanceof SlackCallFailed && error.code === "users_not_found") return undefined;
        throw error;
      }
    },
  };
}
