import type { z } from "zod";
import { isConfirmationId } from "../model/confirmation.js";
import type { Incident } from "../model/incident.js";
import type { NotifyInputSchema, NotifyOutputSchema, WorkingIncident } from "../model/tasks.js";
import type { TaskDeps } from "../task-deps.js";
import { incidentMessage } from "./blocks.js";
import { escalationReply, transitionsReply } from "./replies.js";
import { SlackCallFailed, slackApi } from "./slack.js";
import type { RenderedMessage } from "./slack-text.js";
import { publishNotice } from "./sns.js";

/**
 * Delivering notices: the incident's one Slack message (posted once, then updated in place,
 * with a thread reply listing each new transition) and an SNS publish. Slack or SNS being down
 * never blocks the workflow: the failure is recorded on the incident (`notifications.failures`)
 * and in the audit trail, and returned; the next notice re-renders the whole message, so a
 * message that could not be posted is posted then.
 */

export type NotifyInput = z.output<typeof NotifyInputSchema>;
export type NotifyResult = z.input<typeof NotifyOutputSchema>;
type Notifications = NonNullable<Incident["notifications"]>;

export interface NoticeOptions {
  /** The pending approval whose id the buttons carry; looked up when absent. */
  approvalId?: string;
  /** An extra thread reply (already rendered), e.g. who decided an approval. */
  note?: RenderedMessage;
  /** Publish to SNS too (default true). */
  sns?: boolean;
  /** Deliver only to these channels (redelivery of pending notices). */
  channels?: Channel[];
}

export type Channel = "slack" | "sns";
type Pending = NonNullable<Notifications["pending"]>[number];

/** An undelivered escalation outranks an opening notice, which outranks a status update. */
const KIND_RANK: Record<string, number> = { status: 0, opened: 1, escalation: 2 };

function updatePending(
  pending: Pending[] | undefined,
  outcome: Map<Channel, boolean>,
  kind: string,
  at: string,
): Pending[] | undefined {
  const next = new Map((pending ?? []).map((entry) => [entry.channel, entry]));
  for (const [channel, delivered] of outcome) {
    const earlier = next.get(channel);
    if (delivered) next.delete(channel);
    else {
      const strongest = earlier && (KIND_RANK[earlier.kind] ?? 0) > (KIND_RANK[kind] ?? 0) ? earlier.kind : kind;
      next.set(channel, { channel, kind: strongest, since: earlier?.since ?? at });
    }
  }
  return next.size > 0 ? [...next.values()] : undefined;
}

/** Keep the recorded lists bounded: an incident lives in one store item / one SQLite row. */
const KEEP_FAILURES = 50;
const KEEP_MESSAGE_IDS = 50;

async function currentIncident(
  input: NotifyInput,
  deps: TaskDeps,
): Promise<{ incident: WorkingIncident; stored: boolean }> {
  let stored: Incident | undefined;
  try {
    stored = await deps.store.getIncident(input.incident.id);
  } catch (error) {
    deps.logger.warn("incident not readable; notifying from the task input", { error });
  }
  const base: WorkingIncident = stored ?? input.incident;
  // The workflow may carry results not yet written (the score task writes them with TRIAGED).
  const incident = {
    ...base,
    enrichment: base.enrichment ?? input.enrichment,
    score: base.score ?? input.score,
    decision: base.decision ?? input.decision,
  };
  return { incident, stored: stored !== undefined };
}

async function pendingApprovalId(incident: WorkingIncident, deps: TaskDeps): Promise<string | undefined> {
  if (incident.status !== "AWAITING_APPROVAL") return undefined;
  const pending = await deps.store.listPendingApprovals();
  return pending
    .filter((approval) => approval.incidentId === incident.id && !isConfirmationId(approval.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.id;
}

/** Dismissed below the threshold: nobody is told, unless something already was (or it escalates). */
function isSilent(incident: WorkingIncident, kind: NotifyInput["kind"]): boolean {
  return kind !== "escalation" && incident.decision?.route === "dismiss" && !incident.notifications?.slack;
}

async function deliverSlack(
  incident: WorkingIncident,
  input: NotifyInput,
  deps: TaskDeps,
  options: NoticeOptions,
  notifications: Notifications,
): Promise<void> {
  const channel = deps.config.notify.slack?.channel;
  if (!channel) return;
  const api = slackApi(deps);
  if (!api) throw new SlackCallFailed("chat.postMessage", "not_configured", "no Slack bot token");
  const approvalId = options.approvalId ?? (await pendingApprovalId(incident, deps).catch(() => undefined));
  const message = incidentMessage(incident, { approvalId, dashboardUrl: deps.config.notify.dashboardUrl });

  let ref = notifications.slack;
  if (ref) {
    try {
      await api.update({ channel: ref.channel, ts: ref.ts, ...message });
    } catch (error) {
      // The message was deleted by someone: announce the incident again rather than go silent.
      if (!(error instanceof SlackCallFailed && error.code === "message_not_found")) throw error;
      ref = undefined;
    }
  }
  if (!ref) {
    const posted = await api.postMessage({ channel, ...message });
    ref = { ...posted, transitionsPosted: 0 };
  }
  notifications.slack = ref;

  const transitions = transitionsReply(incident.transitions.slice(ref.transitionsPosted ?? 0));
  const replies: { message: RenderedMessage; broadcast: boolean }[] = [];
  if (transitions) replies.push({ message: transitions, broadcast: false });
  if (options.note) replies.push({ message: options.note, broadcast: false });
  // Escalations also show in the channel: a thread reply alone is easy to miss.
  if (input.kind === "escalation") replies.push({ message: escalationReply(incident, input.error), broadcast: true });
  for (const { message: reply, broadcast } of replies) {
    await api.postMessage({ channel: ref.channel, threadTs: ref.ts, ...reply, broadcast });
  }
  notifications.slack = { ...ref, transitionsPosted: incident.transitions.length };
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Announce or update an incident in Slack and publish it to SNS. Never throws for a delivery
 * failure: it is recorded and returned in `failures`.
 */
export async function notifyIncident(
  input: NotifyInput,
  deps: TaskDeps,
  options: NoticeOptions = {},
): Promise<NotifyResult> {
  const { incident, stored } = await currentIncident(input, deps);
  if (isSilent(incident, input.kind)) return { failures: [] };
  const notifications: Notifications = structuredClone(incident.notifications ?? {});
  const failures: { channel: string; error: string }[] = [];
  const result: NotifyResult = { failures: [] };

  const wanted = (channel: Channel) => options.channels === undefined || options.channels.includes(channel);
  const outcome = new Map<Channel, boolean>();

  if (deps.config.notify.slack && wanted("slack")) {
    try {
      await deliverSlack(incident, input, deps, options, notifications);
      outcome.set("slack", true);
    } catch (error) {
      failures.push({ channel: "slack", error: describeFailure(error) });
      outcome.set("slack", false);
    }
    if (notifications.slack) result.slack = { channel: notifications.slack.channel, ts: notifications.slack.ts };
  }

  const sns = deps.config.notify.sns;
  if (sns && options.sns !== false && wanted("sns")) {
    try {
      const messageId = await publishNotice(sns.topicArn, incident, input.kind, deps.aws, {
        dashboardUrl: deps.config.notify.dashboardUrl,
        error: input.error,
      });
      notifications.snsMessageIds = [...(notifications.snsMessageIds ?? []), messageId].slice(-KEEP_MESSAGE_IDS);
      result.sns = { messageId };
      outcome.set("sns", true);
    } catch (error) {
      failures.push({ channel: "sns", error: describeFailure(error) });
      outcome.set("sns", false);
    }
  }

  const at = deps.now().toISOString();
  const pending = updatePending(notifications.pending, outcome, input.kind, at);
  if (pending) notifications.pending = pending;
  else delete notifications.pending;
  if (failures.length > 0) {
    notifications.failures = [...(notifications.failures ?? []), ...failures.map((f) => ({ at, ...f }))].slice(
      -KEEP_FAILURES,
    );
    deps.logger.warn("notification failed", { incidentId: incident.id, failures });
    for (const failure of failures) {
      await deps.store.appendAudit({
        incidentId: incident.id,
        at,
        actor: "notify",
        action: "notify.failed",
        detail: { channel: failure.channel, error: failure.error, kind: input.kind },
      });
    }
  }
  if (stored && JSON.stringify(notifications) !== JSON.stringify(incident.notifications ?? {})) {
    await deps.store.patchIncident(incident.id, { notifications });
  }
  result.failures = failures.map((failure) => `${failure.channel}: ${failure.error}`);
  return result;
}
