import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { signSlackRequest } from "../../core/approval/signature.js";

/**
 * A local HTTP server standing in for the Slack Web API (`chat.postMessage`, `chat.update`,
 * `chat.postEphemeral`, `auth.test`) on 127.0.0.1, for tests that drive the real
 * `@slack/web-api` client over real HTTP (`slackApiUrl: fake.apiUrl`). It checks the bearer
 * token, validates Block Kit against Slack's limits (answering `invalid_blocks` like Slack),
 * keeps the messages so tests can read what a channel shows, and can be told to fail.
 *
 * It also builds signed interaction requests (`interaction()`), as Slack sends them to
 * `POST /slack/interactions` when someone clicks a button.
 */

export interface FakeSlackCall {
  method: string;
  /** Arguments as Slack receives them (JSON-valued form fields parsed: `blocks`, `attachments`). */
  args: Record<string, unknown>;
  token?: string;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
  replyBroadcast?: boolean;
  updates: number;
}

export interface FakeSlackFailure {
  /** HTTP status to answer with (e.g. 503); default 200 with `ok: false`. */
  status?: number;
  /** Slack error code for an `ok: false` answer (default `internal_error`). */
  error?: string;
  /** For 429: the Retry-After header, in seconds. */
  retryAfter?: number;
  /** How many calls fail before the method works again (default: until `heal()`). */
  times?: number;
}

export interface FakeSlack {
  /** Pass as `slackApiUrl` / `SLACK_API_URL` (ends with `/api/`). */
  apiUrl: string;
  token: string;
  calls: FakeSlackCall[];
  /** Every top-level message and thread reply, in posting order. */
  messages: FakeSlackMessage[];
  /** Make `method` (or every method, `*`) fail. */
  fail(method: string, failure?: FakeSlackFailure): void;
  heal(): void;
  /** Hold every request unanswered until the returned release is called (Slack being slow). */
  hold(): () => void;
  /** Requests received while held, not answered yet. */
  held(): number;
  callsTo(method: string): FakeSlackCall[];
  /** The current state of a message. */
  message(channel: string, ts: string): FakeSlackMessage | undefined;
  replies(channel: string, ts: string): FakeSlackMessage[];
  close(): Promise<void>;
}

const BLOCK_LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  fields: 10,
  field: 2000,
  context: 10,
  button: 75,
  value: 2000,
  id: 255,
};

/** Channel names map to stable ids, as Slack answers with the id. */
function channelId(channel: string): string {
  // A user id as the channel opens (or reuses) the DM with that user, as Slack does.
  if (/^[UW][A-Z0-9]{2,}$/.test(channel)) return `D${channel.slice(1)}`;
  if (/^[CGD][A-Z0-9]{6,}$/.test(channel)) return channel;
  return `C${createHash("sha256").update(channel.replace(/^#/, "")).digest("hex").slice(0, 10).toUpperCase()}`;
}

type Json = Record<string, unknown>;

function textObject(value: unknown, where: string, max: number, errors: string[], plainOnly = false): void {
  const object = value as Json | undefined;
  if (!object || (object.type !== "plain_text" && object.type !== "mrkdwn")) {
    errors.push(`${where}: expected a text object`);
    return;
  }
  if (plainOnly && object.type !== "plain_text") errors.push(`${where}: must be plain_text`);
  if (typeof object.text !== "string" || object.text.length < 1) errors.push(`${where}: text must not be empty`);
  else if (object.text.length > max) errors.push(`${where}: text longer than ${max}`);
}

/** The Block Kit rules Riposte's messages must respect (a subset of Slack's validator). */
export function validateBlocks(blocks: unknown): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return ["blocks: expected an array"];
  if (blocks.length > BLOCK_LIMITS.blocks) errors.push(`blocks: more than ${BLOCK_LIMITS.blocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, index) => {
    const block = raw as Json;
    const where = `blocks[${index}]`;
    if (typeof block.block_id === "string") {
      if (block.block_id.length > BLOCK_LIMITS.id) errors.push(`${where}.block_id: too long`);
      if (blockIds.has(block.block_id)) errors.push(`${where}.block_id: duplicate`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case "header":
        textObject(block.text, `${where}.text`, BLOCK_LIMITS.header, errors, true);
        break;
      case "section": {
        if (block.text === undefined && block.fields === undefined) errors.push(`${where}: needs text or fields`);
        if (block.text !== undefined) textObject(block.text, `${where}.text`, BLOCK_LIMITS.section, errors);
        const fields = (block.fields ?? []) as unknown[];
        if (fields.length > BLOCK_LIMITS.fields) errors.push(`${where}.fields: more than ${BLOCK_LIMITS.fields}`);
        for (const [i, field] of fields.entries())
          textObject(field, `${where}.fields[${i}]`, BLOCK_LIMITS.field, errors);
        break;
      }
      case "context": {
        const elements = (block.elements ?? []) as unknown[];
        if (elements.length < 1 || elements.length > BLOCK_LIMITS.context) errors.push(`${where}.elements: 1 to 10`);
        for (const [i, element] of elements.entries()) {
          textObject(element, `${where}.elements[${i}]`, BLOCK_LIMITS.section, errors);
        }
        break;
      }
      case "actions": {
        const elements = (block.elements ?? []) as Json[];
        if (elements.length < 1 || elements.length > 25) errors.push(`${where}.elements: 1 to 25`);
        for (const [i, element] of elements.entries()) {
          const at = `${where}.elements[${i}]`;
          if (element.type !== "button") continue;
          textObject(element.text, `${at}.text`, BLOCK_LIMITS.button, errors, true);
          if (typeof element.value === "string" && element.value.length > BLOCK_LIMITS.value)
            errors.push(`${at}.value: too long`);
          if (typeof element.action_id === "string" && element.action_id.length > BLOCK_LIMITS.id)
            errors.push(`${at}.action_id: too long`);
          const confirm = element.confirm as Json | undefined;
          if (confirm) {
            textObject(confirm.title, `${at}.confirm.title`, 100, errors, true);
            textObject(confirm.text, `${at}.confirm.text`, 300, errors);
            textObject(confirm.confirm, `${at}.confirm.confirm`, 30, errors, true);
            textObject(confirm.deny, `${at}.confirm.deny`, 30, errors, true);
          }
        }
        break;
      }
      case "divider":
        break;
      default:
        errors.push(`${where}.type: unsupported "${String(block.type)}"`);
    }
  });
  return errors;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseArgs(req: IncomingMessage, body: string): Json {
  if ((req.headers["content-type"] ?? "").includes("application/json")) return body ? (JSON.parse(body) as Json) : {};
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    // The Node client JSON-encodes nested arguments (blocks, attachments) into form fields.
    args[key] = key === "blocks" || key === "attachments" || key === "metadata" ? JSON.parse(value) : value;
  }
  return args;
}

/** Start a fake Slack API on 127.0.0.1 (free port). */
export async function startFakeSlack(
  options: {
    token?: string /** users.lookupByEmail's directory: email → user id. */;
    users?: Record<string, string>;
  } = {},
): Promise<FakeSlack> {
  const token = options.token ?? "xoxb-fake-riposte-token";
  const calls: FakeSlackCall[] = [];
  const messages: FakeSlackMessage[] = [];
  const failures = new Map<string, FakeSlackFailure>();
  let gate: Promise<void> | undefined;
  let waiting = 0;
  let clock = 1_700_000_000;
  let sequence = 0;

  const nextTs = () => `${clock + Math.floor(++sequence / 1000)}.${String(sequence % 1000).padStart(6, "0")}`;
  const find = (channel: string, ts: string) =>
    messages.find((message) => message.channel === channel && message.ts === ts && message.threadTs === undefined);

  function failure(method: string): FakeSlackFailure | undefined {
    for (const key of [method, "*"]) {
      const found = failures.get(key);
      if (!found) continue;
      if (found.times !== undefined) {
        found.times -= 1;
        if (found.times <= 0) failures.delete(key);
      }
      return found;
    }
    return undefined;
  }

  function answer(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  function handle(method: string, args: Json): Json {
    switch (method) {
      case "auth.test":
        return { ok: true, user_id: "UFAKEBOT", team_id: "TFAKE", bot_id: "BFAKE" };
      case "chat.postMessage": {
        if (typeof args.channel !== "string" || !args.channel) return { ok: false, error: "channel_not_found" };
        if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
        if (args.blocks !== undefined) {
          const errors = validateBlocks(args.blocks);
          if (errors.length > 0) return { ok: false, error: "invalid_blocks", errors };
        }
        const channel = channelId(args.channel);
        const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
        if (threadTs && !find(channel, threadTs)) return { ok: false, error: "thread_not_found" };
        const message: FakeSlackMessage = {
          channel,
          ts: nextTs(),
          text: args.text as string | undefined,
          blocks: args.blocks as unknown[] | undefined,
          threadTs,
          replyBroadcast: args.reply_broadcast === true || args.reply_broadcast === "true",
          updates: 0,
        };
        messages.push(message);
        return { ok: true, channel, ts: message.ts, message: { text: message.text, blocks: message.blocks } };
      }
      case "chat.update": {
        const channel = String(args.channel ?? "");
        if (!/^[CGD][A-Z0-9]{6,}$/.test(channel)) return { ok: false, error: "channel_not_found" };
        const message = find(channel, String(args.ts ?? ""));
        if (!message) return { ok: false, error: "message_not_found" };
        if (args.blocks !== undefined) {
          const errors = validateBlocks(args.blocks);
          if (errors.length > 0) return { ok: false, error: "invalid_blocks", errors };
          message.blocks = args.blocks as unknown[];
        }
        if (args.text !== undefined) message.text = String(args.text);
        message.updates += 1;
        return { ok: true, channel, ts: message.ts, text: message.text };
      }
      case "users.lookupByEmail": {
        const email = String(args.email ?? "");
        const id = options.users && Object.hasOwn(options.users, email) ? options.users[email] : undefined;
        return id ? { ok: true, user: { id, profile: { email } } } : { ok: false, error: "users_not_found" };
      }
      case "chat.postEphemeral":
        if (typeof args.channel !== "string" || typeof args.user !== "string")
          return { ok: false, error: "invalid_arguments" };
        return { ok: true, message_ts: nextTs() };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = url.pathname.replace(/^\/api\//, "");
    const body = await readBody(req);
    if (gate) {
      waiting += 1;
      await gate;
      waiting -= 1;
    }
    let args: Json;
    try {
      args = parseArgs(req, body);
    } catch {
      return answer(res, 200, { ok: false, error: "invalid_json" });
    }
    const auth = req.headers.authorization;
    const given = auth?.startsWith("Bearer ") ? auth.slice(7) : (args.token as string | undefined);
    calls.push({ method, args, token: given });
    const broken = failure(method);
    if (broken) {
      const status = broken.status ?? 200;
      if (status === 429)
        return answer(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(broken.retryAfter ?? 1) });
      if (status !== 200) return answer(res, status, { ok: false, error: broken.error ?? "service_unavailable" });
      return answer(res, 200, { ok: false, error: broken.error ?? "internal_error" });
    }
    if (!given) return answer(res, 200, { ok: false, error: "not_authed" });
    if (given !== token) return answer(res, 200, { ok: false, error: "invalid_auth" });
    answer(res, 200, handle(method, args));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    token,
    calls,
    messages,
    fail(method, spec = {}) {
      failures.set(method, { ...spec });
    },
    heal() {
      failures.clear();
    },
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    held: () => waiting,
    callsTo: (method) => calls.filter((call) => call.method === method),
    message: (channel, ts) => find(channel, ts),
    replies: (channel, ts) => messages.filter((message) => message.channel === channel && message.threadTs === ts),
    close: () =>
      new Promise<void>((resolve) => {
        clock += 1;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A Slack `block_actions` payload for a button click, as Slack posts it. */
export function buttonClick(args: {
  userId: string;
  userName?: string;
  actionId: string;
  value: string;
  channel?: string;
  messageTs?: string;
}): Record<string, unknown> {
  const channel = args.channel ?? channelId("security");
  return {
    type: "block_actions",
    team: { id: "TFAKE", domain: "riposte-test" },
    user: { id: args.userId, username: args.userName ?? "someone", name: args.userName ?? "someone", team_id: "TFAKE" },
    api_app_id: "AFAKE",
    token: "legacy-verification-token",
    container: {
      type: "message",
      message_ts: args.messageTs ?? "1700000000.000001",
      channel_id: channel,
      is_ephemeral: false,
    },
    trigger_id: "1111.2222.abcd",
    channel: { id: channel, name: "security" },
    message: { type: "message", ts: args.messageTs ?? "1700000000.000001", text: "incident" },
    response_url: "https://hooks.slack.com/actions/TFAKE/1/abc",
    actions: [
      {
        type: "button",
        block_id: "riposte.approval",
        action_id: args.actionId,
        value: args.value,
        text: { type: "plain_text", text: "Approve" },
        action_ts: "1700000001.000000",
      },
    ],
  };
}

/** A signed interaction request (form body `payload=<json>`) as Slack sends it to our endpoint. */
export function interaction(args: { signingSecret: string; payload: unknown; timestamp: number }): {
  headers: Record<string, string>;
  body: string;
} {
  const body = new URLSearchParams({ payload: JSON.stringify(args.payload) }).toString();
  return {
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(args.timestamp),
      "x-slack-signature": signSlackRequest(args.signingSecret, args.timestamp, body),
    },
    body,
  };
}
