import { z } from "zod";
import { decideApproval } from "../approval/decide.js";
import type { SlackFollowUp, SlackFollowUps } from "../approval/follow-up.js";
import { InvalidSlackSignature, verifySlackSignature } from "../approval/signature.js";
import { answerConfirmation } from "../confirm/answer.js";
import { CONFIRM_NO_ACTION_ID, CONFIRM_YES_ACTION_ID } from "../confirm/ask.js";
import { ApprovalAlreadyDecided, NotAnApprover, NotFound, NotTheActor } from "../errors.js";
import { exceptionFromSlack, type SlackChoice } from "../exceptions/create.js";
import { describeScope } from "../model/exception.js";
import { ALLOW_ACTION_ID, APPROVE_ACTION_ID, REJECT_ACTION_ID, SNOOZE_ACTION_ID } from "../notify/blocks.js";
import { escapeMrkdwnLine, mrkdwnCode } from "../notify/mrkdwn.js";
import { approverMention, slackDate } from "../notify/slack-text.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * `POST /slack/interactions`: Slack calls it when someone clicks Approve or Reject. The request
 * is authenticated by its signature alone; the clicking user must be a configured approver.
 * Slack wants a 200 within three seconds, so the answer comes once the decision is durable and
 * every Slack Web API call is a follow-up (`followUps`), done after the answer: the incident
 * message showing who decided, and what the user needs to know in an ephemeral message.
 */

export interface SlackHttpRequest {
  headers: Record<string, string | undefined>;
  /** The raw body exactly as received (form-encoded `payload=…`). */
  body: string;
}

export interface SlackHttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const APPROVAL_ID = /^[A-Za-z0-9_-]{8,128}$/;
// Incident ids are `<detection or rule id>-<hex>`: at most 80 characters of [A-Za-z0-9_-].
const INCIDENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const EXCEPTION_CHOICES: Record<string, SlackChoice> = { [SNOOZE_ACTION_ID]: "snooze", [ALLOW_ACTION_ID]: "allow" };

const BlockActionsSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1).max(64), username: z.string().optional(), name: z.string().optional() }),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});
type BlockActions = z.infer<typeof BlockActionsSchema>;

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const reply = (status: number, body = ""): SlackHttpResponse => ({ status, headers: TEXT, body });

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function parsePayload(body: string): unknown {
  const payload = new URLSearchParams(body).get("payload");
  if (payload === null) return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

/** Queue a follow-up; failing to queue it is logged, never turned into an error for Slack. */
async function hand(followUp: SlackFollowUp, followUps: SlackFollowUps, deps: TaskDeps): Promise<void> {
  try {
    await followUps(followUp);
  } catch (error) {
    deps.logger.warn("Slack follow-up could not be queued", { type: followUp.type, error });
  }
}

async function tell(payload: BlockActions, text: string, followUps: SlackFollowUps, deps: TaskDeps): Promise<void> {
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  if (!channel) return;
  await hand({ type: "ephemeral", channel, user: payload.user.id, text }, followUps, deps);
}

async function alreadyDecidedText(approvalId: string, deps: TaskDeps): Promise<string> {
  const approval = await deps.store.getApproval(approvalId).catch(() => undefined);
  const result = approval?.result;
  if (!approval || !result || approval.status === "expired" || approval.status === "pending") {
    return "This approval request has expired; nothing was changed.";
  }
  // Slack user ids become mentions; any other approver (dashboard, riposte) is escaped text.
  const by = approverMention({ approver: result.approver, via: "slack" });
  const already = `This was already ${approval.status} by ${by} ${slackDate(result.at)}`;
  // Saved but not yet taken by the workflow (after a restart): it is being carried out, not dropped.
  if (approval.resumePending) return `${already}; Riposte is carrying out that decision now.`;
  return `${already}. Nothing was changed.`;
}

/** Verify, parse and act on a Slack interaction request; Slack is told things through `followUps`. */
export async function handleSlackInteraction(
  request: SlackHttpRequest,
  deps: TaskDeps,
  followUps: SlackFollowUps,
): Promise<SlackHttpResponse> {
  const signingSecret = deps.secrets.slackSigningSecret;
  if (!signingSecret) return reply(503, "Slack interactivity is not configured");
  try {
    verifySlackSignature({
      signingSecret,
      timestamp: header(request.headers, "x-slack-request-timestamp"),
      signature: header(request.headers, "x-slack-signature"),
      body: request.body,
      now: deps.now(),
    });
  } catch (error) {
    if (!(error instanceof InvalidSlackSignature)) throw error;
    deps.logger.warn("slack request refused", { reason: error.message });
    return reply(401, "invalid request signature");
  }

  const raw = parsePayload(request.body);
  if (typeof raw !== "object" || raw === null) return reply(400, "expected a form field payload with JSON");
  if ((raw as { type?: unknown }).type !== "block_actions") return reply(200);
  const parsed = BlockActionsSchema.safeParse(raw);
  if (!parsed.success) return reply(400, "unexpected block_actions payload");
  const payload = parsed.data;
  const exceptionAction = payload.actions.find((item) => Object.hasOwn(EXCEPTION_CHOICES, item.action_id));
  if (exceptionAction) return createFromClick(payload, exceptionAction, deps, followUps);
  const confirmAction = payload.actions.find(
    (item) => item.action_id === CONFIRM_YES_ACTION_ID || item.action_id === CONFIRM_NO_ACTION_ID,
  );
  if (confirmAction) return answerFromClick(payload, confirmAction, deps, followUps);
  const action = payload.actions.find(
    (item) => item.action_id === APPROVE_ACTION_ID || item.action_id === REJECT_ACTION_ID,
  );
  if (!action) return reply(200);
  if (!action.value || !APPROVAL_ID.test(action.value)) return reply(400, "unexpected approval id");

  try {
    await decideApproval(
      {
        approvalId: action.value,
        decision: action.action_id === APPROVE_ACTION_ID ? "approve" : "reject",
        approver: payload.user.id,
        via: "slack",
      },
      deps,
      (record, incidentId) => hand({ type: "announce", incidentId, record }, followUps, deps),
    );
  } catch (error) {
    if (error instanceof NotAnApprover) {
      await tell(
        payload,
        "You are not on Riposte's approver list, so your click was not counted. Nothing was changed.",
        followUps,
        deps,
      );
    } else if (error instanceof ApprovalAlreadyDecided) {
      await tell(payload, await alreadyDecidedText(action.value, deps), followUps, deps);
    } else if (error instanceof NotFound) {
      await tell(payload, "This approval request no longer exists. Nothing was changed.", followUps, deps);
    } else {
      deps.logger.error("approval from Slack failed", { error });
      await tell(
        payload,
        "Your decision was recorded, but the workflow could not be resumed. See the dashboard.",
        followUps,
        deps,
      );
    }
  }
  return reply(200);
}

/** "Snooze 24 h" / "Allow for 7 days": an exception for the incident's principal, from an approver only. */
async function createFromClick(
  payload: BlockActions,
  action: BlockActions["actions"][number],
  deps: TaskDeps,
  followUps: SlackFollowUps,
): Promise<SlackHttpResponse> {
  if (!action.value || !INCIDENT_ID.test(action.value)) return reply(400, "unexpected incident id");
  const choice = EXCEPTION_CHOICES[action.action_id] as SlackChoice;
  try {
    const { exception, created } = await exceptionFromSlack(
      { incidentId: action.value, choice, user: payload.user.id },
      deps,
    );
    const scope = escapeMrkdwnLine(describeScope(exception.scope), 300);
    const verb = created ? "Created" : "You already created";
    await tell(
      payload,
      `${verb} exception ${mrkdwnCode(exception.id, 100)}: ${mrkdwnCode(exception.detection, 100)} for ${scope} is recorded as SUPPRESSED until ${slackDate(exception.expiresAt)}.`,
      followUps,
      deps,
    );
  } catch (error) {
    if (error instanceof NotAnApprover) {
      await tell(
        payload,
        "You are not on Riposte's approver list, so no exception was created. Nothing was changed.",
        followUps,
        deps,
      );
    } else if (error instanceof NotFound) {
      await tell(payload, "This incident no longer exists. Nothing was changed.", followUps, deps);
    } else {
      deps.logger.error("exception from Slack failed", { error });
      await tell(payload, "The exception could not be created. See the dashboard.", followUps, deps);
    }
  }
  return reply(200);
}

/** "Was this you?": Yes / No, counted only from the actor who was asked, once. */
async function answerFromClick(
  payload: BlockActions,
  action: BlockActions["actions"][number],
  deps: TaskDeps,
  followUps: SlackFollowUps,
): Promise<SlackHttpResponse> {
  if (!action.value || !APPROVAL_ID.test(action.value)) return reply(400, "unexpected confirmation id");
  const answer = action.action_id === CONFIRM_YES_ACTION_ID ? "yes" : "no";
  try {
    const answered = await answerConfirmation({ confirmationId: action.value, answer, user: payload.user.id }, deps);
    await tell(
      payload,
      answer === "yes"
        ? `Thanks: recorded as yours. Riposte keeps it for ${answered.keepHours ?? "the configured"} h, then reverts it.`
        : "Thanks: on-call has been paged and Riposte is reverting the change now.",
      followUps,
      deps,
    );
  } catch (error) {
    if (error instanceof NotTheActor) {
      await tell(payload, "Only the person who was asked can answer this. Nothing was changed.", followUps, deps);
    } else if (error instanceof ApprovalAlreadyDecided) {
      await tell(payload, "This question was already answered or has expired. Nothing was changed.", followUps, deps);
    } else if (error instanceof NotFound) {
      await tell(payload, "This question no longer exists. Nothing was changed.", followUps, deps);
    } else {
      deps.logger.error("confirmation from Slack failed", { error });
      await tell(payload, "Your answer was recorded, but the workflow could not be resumed.", followUps, deps);
    }
  }
  return reply(200);
}
