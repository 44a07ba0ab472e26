import { randomUUID } from "node:crypto";
import type { KnownBlock } from "@slack/web-api";
import type { z } from "zod";
import { NoActorToAsk } from "../errors.js";
import { CONFIRMABLE_DETECTIONS, CONFIRMATION_PREFIX, isConfirmable } from "../model/confirmation.js";
import type { ConfirmInputSchema } from "../model/tasks.js";
import { escapeMrkdwnLine, mrkdwnCode } from "../notify/mrkdwn.js";
import { slackApi } from "../notify/slack.js";
import { section, slackDate } from "../notify/slack-text.js";
import type { TaskDeps } from "../task-deps.js";
import { type ActorLookups, actorLookups, mapActor } from "./actor.js";

export type ConfirmInput = z.output<typeof ConfirmInputSchema>;

export const CONFIRM_YES_ACTION_ID = "riposte.confirm.yes";
export const CONFIRM_NO_ACTION_ID = "riposte.confirm.no";

/** The DM: what happened, in trusted words plus the escaped resource, and the two buttons. */
export function confirmationMessage(args: {
  confirmationId: string;
  detection: string;
  resource: string;
  keepHours: number;
  expiresAt: string;
}): { text: string; blocks: KnownBlock[] } {
  const did = isConfirmable(args.detection) ? CONFIRMABLE_DETECTIONS[args.detection] : "made a change";
  const what = args.resource ? ` (${mrkdwnCode(args.resource, 200)})` : "";
  return {
    text: `Riposte: was this you? Someone using your AWS identity ${did}.`,
    blocks: [
      section(
        `*Was this you?* Someone using your AWS identity ${escapeMrkdwnLine(did)}${what}.\n` +
          `Answer by ${slackDate(args.expiresAt)}. *No* pages on-call and reverts it now; ` +
          `*Yes* keeps it for ${args.keepHours} h, then Riposte reverts it.`,
      ),
      {
        type: "actions",
        block_id: "riposte.confirm",
        elements: [
          {
            type: "button",
            action_id: CONFIRM_YES_ACTION_ID,
            text: { type: "plain_text", text: `Yes, keep it for ${args.keepHours} h` },
            style: "primary",
            value: args.confirmationId,
          },
          {
            type: "button",
            action_id: CONFIRM_NO_ACTION_ID,
            text: { type: "plain_text", text: "No" },
            style: "danger",
            value: args.confirmationId,
          },
        ],
      },
    ],
  };
}

/**
 * The "was this you?" task (`.waitForTaskToken`): map the principal to a Slack user, keep the
 * task token server-side under a new confirmation id, record who is asked in the audit trail (the
 * only user whose click counts), and DM them the buttons. Nobody to ask: `NoActorToAsk`, and the
 * workflow takes the detection's default response.
 */
export async function askActor(
  input: ConfirmInput,
  deps: TaskDeps,
  lookups: ActorLookups = actorLookups(deps),
): Promise<{ confirmationId: string }> {
  const { incident, decision, taskToken } = input;
  const confirmation = decision.confirmation;
  if (!confirmation) throw new NoActorToAsk("the decision asks for no confirmation");
  const slack = slackApi(deps);
  if (!slack) throw new NoActorToAsk("Slack is not configured: nobody can be asked");
  const actor = await mapActor(incident, deps.config.confirmation.actors, lookups);
  if (!actor) throw new NoActorToAsk("the principal maps to no Slack user");

  const now = deps.now();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + confirmation.timeoutSeconds * 1000).toISOString();
  const confirmationId = `${CONFIRMATION_PREFIX}${randomUUID()}`;
  await deps.store.putApproval({
    id: confirmationId,
    incidentId: incident.id,
    taskToken,
    createdAt: at,
    expiresAt,
    status: "pending",
  });
  await deps.store.appendAudit({
    incidentId: incident.id,
    at,
    actor: "confirmation",
    action: "confirmation.requested",
    detail: {
      confirmationId,
      slackUser: actor.slackUser,
      via: actor.via,
      expiresAt,
      keepHours: confirmation.keepHours,
    },
  });
  const message = confirmationMessage({
    confirmationId,
    detection: incident.detection,
    resource: incident.resource,
    keepHours: confirmation.keepHours,
    expiresAt,
  });
  await slack.postMessage({ channel: actor.slackUser, ...message });
  return { confirmationId };
}
