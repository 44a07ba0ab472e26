import { ConfigSchema } from "../core/config/schema.js";
import type { Category } from "../core/model/catalog.js";
import { type AslState, type AslStateMachine, jsonata, lambdaTask, outcome } from "./asl.js";

/**
 * The one incident workflow every category runs, as ASL (JSONata):
 *
 *   Open → (duplicate? stop · covered by an exception? SUPPRESSED, stop) → Enrich → Score → (dismiss? record) → Notify → (no plan? record NOTIFIED)
 *     → Ask the actor first? (was this you: No → page on-call, remediate · Yes → wait N h, remediate
 *       · no answer → the default response) → Approval required? → Request approval (callback, with a timeout and the policy's
 *       default on timeout) → Approved? → Remediate → (held back / guarded / gone?) → Verify
 *     → Risk removed? → Record the outcome → Announce it
 *   and one failure path: Record failure (FAILED) → Escalate → the execution fails.
 *
 * Each task writes its own status change as it happens (open NEW, score TRIAGED, approval
 * AWAITING_APPROVAL, remediate PROCESSING, record the final one), so the dashboard follows live.
 * Categories differ in their timeouts and in how long a live change needs to propagate.
 */

export interface CategoryProfile {
  category: Category;
  /** What the category's incidents are about, for the definition's Comment. */
  summary: string;
  remediateTimeoutSeconds: number;
  verifyTimeoutSeconds: number;
  /** Seconds a live change takes to be visible to the verifying reads (IAM and S3 are eventually consistent). */
  propagationSeconds: number;
}

const RECORD_FAILURE = "Record failure";
const RECORD_OUTCOME = "Record the outcome";
const DEFAULT_APPROVAL_TIMEOUT = ConfigSchema.parse({}).approval.timeoutSeconds;

const opening: Record<string, AslState> = {
  "Open the incident": lambdaTask("open", {
    comment:
      "Store the incident as NEW, idempotently: a duplicate delivery of the same event finds it open and stops here.",
    payload: {
      input: jsonata("$states.input"),
      execution: {
        id: jsonata("$states.context.Execution.Id"),
        name: jsonata("$states.context.Execution.Name"),
        startTime: jsonata("$states.context.Execution.StartTime"),
      },
    },
    timeoutSeconds: 30,
    assign: {
      incident: jsonata("$states.result.Payload.incident"),
      duplicate: jsonata("$states.result.Payload.duplicate"),
      suppressed: jsonata("$states.result.Payload.suppressed"),
      approval: jsonata("null"),
    },
    catches: [{ ErrorEquals: ["NoFinding"], Next: "Not an incident" }],
    // Without an incident there is nothing to record the failure on.
    failureTarget: "Incident could not be opened",
    next: "Already being handled?",
  }),
  "Already being handled?": {
    Type: "Choice",
    Comment:
      "Another execution opened this incident (a duplicate delivery), or a time-boxed exception covers it (recorded SUPPRESSED).",
    Choices: [
      { Condition: jsonata("$duplicate"), Next: "Duplicate delivery: nothing to do" },
      { Condition: jsonata("$suppressed = true"), Next: "Suppressed by an exception" },
    ],
    Default: "Enrich the incident",
  },
  "Suppressed by an exception": {
    Type: "Succeed",
    Comment: "Recorded SUPPRESSED, naming the exception: no notice, no remediation while the exception holds.",
    Output: {
      incidentId: jsonata("$incident.id"),
      status: "SUPPRESSED",
      exceptionId: jsonata("$incident.suppressedBy.exceptionId"),
    },
  },
  "Duplicate delivery: nothing to do": {
    Type: "Succeed",
    Comment: "The incident is handled by the execution that opened it.",
    Output: { incidentId: jsonata("$incident.id"), duplicate: true },
  },
  "Not an incident": {
    Type: "Succeed",
    Comment: "The event matched the rule, but the detection's own checks found no risk in it.",
    Output: { incidentId: null, reason: "no finding in the event" },
  },
  "Incident could not be opened": {
    Type: "Fail",
    Comment: "The incident could not be stored; the execution fails so the failure alarm sees it.",
    Error: jsonata("$failure.error"),
    Cause: jsonata("$failure.cause"),
  },
};

const triage: Record<string, AslState> = {
  "Enrich the incident": lambdaTask("enrich", {
    comment: "Context for the source address, the principal and the resource; lookups that fail degrade, never fail.",
    payload: { incident: jsonata("$incident") },
    timeoutSeconds: 60,
    assign: { enrichment: jsonata("$states.result.Payload.enrichment") },
    failureTarget: RECORD_FAILURE,
    next: "Score the incident",
  }),
  "Score the incident": lambdaTask("score", {
    comment:
      "Risk score with its factors and the route (auto, approval, notify, dismiss); moves the incident to TRIAGED.",
    payload: { incident: jsonata("$incident"), enrichment: jsonata("$enrichment") },
    timeoutSeconds: 30,
    assign: { score: jsonata("$states.result.Payload.score"), decision: jsonata("$states.result.Payload.decision") },
    failureTarget: RECORD_FAILURE,
    next: "Dismiss without notice?",
  }),
  "Dismiss without notice?": {
    Type: "Choice",
    Comment: "Below the dismissal threshold, switched off, or caused by Riposte itself: dismissed without a notice.",
    Choices: [{ Condition: jsonata("$decision.route = 'dismiss'"), Next: "Close as dismissed" }],
    Default: "Notify the responders",
  },
  "Close as dismissed": outcome(
    "The incident ends DISMISSED, for the policy's reason.",
    "DISMISSED",
    "$decision.reason",
    RECORD_OUTCOME,
  ),
  "Notify the responders": lambdaTask("notify", {
    comment: "Post the incident to Slack and SNS (a failed delivery is recorded and retried later, never fatal).",
    payload: {
      incident: jsonata("$incident"),
      kind: "opened",
      enrichment: jsonata("$enrichment"),
      score: jsonata("$score"),
      decision: jsonata("$decision"),
    },
    timeoutSeconds: 30,
    failureTarget: RECORD_FAILURE,
    next: "Remediation planned?",
  }),
  "Remediation planned?": {
    Type: "Choice",
    Comment: "Remediation runs only when the route calls for it and an action exists for the incident.",
    Choices: [
      {
        Condition: jsonata("$decision.route in ['auto', 'approval'] and $count($decision.plan) > 0"),
        Next: "Ask the actor first?",
      },
    ],
    Default: "Close as notified",
  },
  "Close as notified": outcome(
    "Notify only: below the remediation threshold, notify-only by policy, or no remediation exists.",
    "NOTIFIED",
    "$decision.route in ['auto', 'approval'] ? 'no remediation exists for ' & $incident.detection & ': notify only' : $decision.reason",
    RECORD_OUTCOME,
  ),
};

const DEFAULT_RESPONSE = "Approval required?";

/**
 * "Was this you?" (core/confirm/): for a detection listed under `confirmation.detections`, the
 * actor mapped from the principal is asked in a DM first. "No" pages on-call and remediates at
 * once; "Yes" keeps the change for the configured hours, then remediates; no answer in time, or
 * nobody to ask, takes the detection's default response (approval or automatic remediation).
 */
const confirmation: Record<string, AslState> = {
  "Ask the actor first?": {
    Type: "Choice",
    Comment: "The decision carries a confirmation when the detection is listed under confirmation.detections.",
    Choices: [{ Condition: jsonata("$exists($decision.confirmation)"), Next: "Ask the actor: was this you?" }],
    Default: DEFAULT_RESPONSE,
  },
  "Ask the actor: was this you?": lambdaTask("confirm", {
    comment:
      "DM the Slack user mapped from the principal (Yes, keep it for N h / No; the token stays server-side) and wait for the answer.",
    callback: true,
    payload: {
      incident: jsonata("$incident"),
      decision: jsonata("$decision"),
      taskToken: jsonata("$states.context.Task.Token"),
    },
    timeoutSeconds: jsonata("$decision.confirmation.timeoutSeconds"),
    retryTimeout: false,
    assign: { confirmation: jsonata("$states.result") },
    catches: [
      { ErrorEquals: ["States.Timeout"], Next: "No answer: the detection's default response" },
      { ErrorEquals: ["NoActorToAsk"], Next: "Nobody to ask: the detection's default response" },
    ],
    failureTarget: RECORD_FAILURE,
    next: "Was it the actor?",
  }),
  "No answer: the detection's default response": {
    Type: "Pass",
    Comment: "The actor did not answer in time: the incident goes on as if nobody had been asked.",
    Next: DEFAULT_RESPONSE,
  },
  "Nobody to ask: the detection's default response": {
    Type: "Pass",
    Comment: "The principal maps to no Slack user (or Slack is off): the detection's default response.",
    Next: DEFAULT_RESPONSE,
  },
  "Was it the actor?": {
    Type: "Choice",
    Comment:
      "Only the mapped actor's own signed click answers (a Slack user id): approve is Yes, reject is No; anything else (closed by Riposte) takes the default response.",
    Choices: [
      {
        Condition: jsonata(
          "$confirmation.decision = 'reject' and $contains($confirmation.approver, /^[UW][A-Z0-9]{2,}$/)",
        ),
        Next: "Not the actor: page on-call",
      },
      {
        Condition: jsonata(
          "$confirmation.decision = 'approve' and $contains($confirmation.approver, /^[UW][A-Z0-9]{2,}$/)",
        ),
        Next: "Keep the change until the revert time",
      },
    ],
    Default: DEFAULT_RESPONSE,
  },
  "Not the actor: page on-call": lambdaTask("notify", {
    comment: "The actor says it was not them: escalate at once (broadcast in Slack, SNS), then remediate.",
    payload: {
      incident: jsonata("$incident"),
      kind: "escalation",
      error: {
        Error: "NotTheActor",
        Cause: jsonata("'the actor (' & $confirmation.approver & ') answered No: it was not them'"),
      },
    },
    timeoutSeconds: 30,
    failureTarget: RECORD_FAILURE,
    next: "Remediate the target",
  }),
  "Keep the change until the revert time": {
    Type: "Wait",
    Comment: "The actor answered Yes: the change is kept for the configured hours from the answer, then reverted.",
    Timestamp: jsonata(
      "$fromMillis($toMillis($confirmation.at) + $decision.confirmation.keepHours * 3600000, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z')",
    ),
    Next: "Remediate the target",
  },
};

const approval: Record<string, AslState> = {
  "Approval required?": {
    Type: "Choice",
    Comment: "Destructive actions, production targets and approval-mode detections wait for a human.",
    Choices: [{ Condition: jsonata("$decision.route = 'approval'"), Next: "Request approval" }],
    Default: "Remediate the target",
  },
  "Request approval": lambdaTask("approval", {
    comment:
      "Post Approve / Reject (the token stays server-side) and wait for the decision; moves the incident to AWAITING_APPROVAL.",
    callback: true,
    payload: {
      incident: jsonata("$incident"),
      decision: jsonata("$decision"),
      taskToken: jsonata("$states.context.Task.Token"),
    },
    timeoutSeconds: jsonata(
      `$decision.approval.timeoutSeconds ? $decision.approval.timeoutSeconds : ${DEFAULT_APPROVAL_TIMEOUT}`,
    ),
    retryTimeout: false,
    assign: { approval: jsonata("$states.result") },
    catches: [{ ErrorEquals: ["States.Timeout"], Next: "Approval timed out: apply the policy's default" }],
    failureTarget: RECORD_FAILURE,
    next: "Approval granted?",
  }),
  "Approval timed out: apply the policy's default": {
    Type: "Pass",
    Comment: "Nobody decided in time: the decision's onTimeout (reject for destructive or production plans) applies.",
    Assign: {
      approval: {
        decision: jsonata("$decision.approval.onTimeout ? $decision.approval.onTimeout : 'reject'"),
        approver: "timeout",
        at: jsonata("$now()"),
        comment: jsonata(
          "'no decision in time; the policy default (' & ($decision.approval.onTimeout ? $decision.approval.onTimeout : 'reject') & ') applies'",
        ),
      },
    },
    Next: "Approval granted?",
  },
  "Approval granted?": {
    Type: "Choice",
    Comment: "Go ahead on approval; a rejection dismisses the incident.",
    Choices: [{ Condition: jsonata("$approval.decision = 'approve'"), Next: "Remediate the target" }],
    Default: "Close as rejected",
  },
  "Close as rejected": outcome(
    "The approver (or the timeout policy) rejected the plan: the incident ends DISMISSED.",
    "DISMISSED",
    "$approval.approver = 'timeout' ? $approval.comment : 'rejected by ' & $approval.approver & ($approval.comment ? ': ' & $approval.comment : '')",
    RECORD_OUTCOME,
  ),
};

function remediation(profile: CategoryProfile): Record<string, AslState> {
  return {
    "Remediate the target": lambdaTask("remediate", {
      comment:
        "Apply the plan (dry-run records the exact calls without sending them), with a before-snapshot; moves the incident to PROCESSING.",
      payload: jsonata(
        "$merge([{ 'incident': $incident, 'plan': $decision.plan }, $approval ? { 'approval': $approval } : {}])",
      ),
      timeoutSeconds: profile.remediateTimeoutSeconds,
      assign: { actions: jsonata("$states.result.Payload.actions") },
      catches: [
        { ErrorEquals: ["RemediationNotAllowed"], Next: "Close as guarded" },
        { ErrorEquals: ["ResourceGone"], Next: "Close as already gone" },
      ],
      failureTarget: RECORD_FAILURE,
      next: "Remediation held back?",
    }),
    "Close as guarded": outcome(
      "A guardrail re-checked live (protected target, loop prevention) refused the change: notify instead.",
      "NOTIFIED",
      "'a guardrail stopped the remediation'",
      RECORD_OUTCOME,
      "$states.input",
    ),
    "Close as already gone": outcome(
      "The target no longer exists, and the risk with it.",
      "MITIGATED",
      "'the target no longer exists'",
      RECORD_OUTCOME,
      "$states.input",
    ),
    "Remediation held back?": {
      Type: "Choice",
      Comment:
        "A failed action escalates; actions all skipped (the circuit breaker is open) leave the incident notified.",
      Choices: [
        { Condition: jsonata("$count($actions[outcome = 'failed']) > 0"), Next: "Note the failed actions" },
        {
          Condition: jsonata("$count($actions) > 0 and $count($actions[outcome = 'skipped']) = $count($actions)"),
          Next: "Close as held back",
        },
      ],
      Default: "Live change?",
    },
    "Close as held back": outcome(
      "Remediation was held back (circuit breaker open): the responders were told and act by hand.",
      "NOTIFIED",
      "'remediation held back: ' & $join($actions.(error ? error : action & ' skipped'), '; ')",
      RECORD_OUTCOME,
    ),
    "Note the failed actions": {
      Type: "Pass",
      Comment: "Some actions failed: take the failure path with what failed.",
      Assign: {
        failure: {
          state: "Remediate the target",
          error: "RemediationFailed",
          cause: jsonata(
            "$join($actions[outcome = 'failed'].(action & ' on ' & target & ': ' & (error ? error : 'failed')), '; ')",
          ),
        },
      },
      Next: RECORD_FAILURE,
    },
    "Live change?": {
      Type: "Choice",
      Comment: "Only a live change needs time to propagate before it is verified.",
      Choices: [{ Condition: jsonata("$incident.mode = 'live'"), Next: "Wait for the change to take effect" }],
      Default: "Verify the fix",
    },
    "Wait for the change to take effect": {
      Type: "Wait",
      Comment: `${profile.category} changes are eventually consistent: give them ${profile.propagationSeconds} s before reading them back.`,
      Seconds: profile.propagationSeconds,
      Next: "Verify the fix",
    },
    "Verify the fix": lambdaTask("verify", {
      comment: "Read the target back and prove the risk is gone.",
      payload: { incident: jsonata("$incident"), actions: jsonata("$actions") },
      timeoutSeconds: profile.verifyTimeoutSeconds,
      assign: { verification: jsonata("$states.result.Payload") },
      failureTarget: RECORD_FAILURE,
      next: "Risk removed?",
    }),
    "Risk removed?": {
      Type: "Choice",
      Comment: "Verified: mitigated. Anything else is a failed remediation.",
      Choices: [{ Condition: jsonata("$verification.verified = true"), Next: "Close as mitigated" }],
      Default: "Note the failed verification",
    },
    "Close as mitigated": outcome(
      "The risk is gone (in dry-run: the exact calls are recorded on the incident).",
      "MITIGATED",
      "$incident.mode = 'dry-run' ? 'dry-run: remediation planned and recorded, no change sent' : 'remediated and verified (' & $string($count($verification.checks)) & ' checks passed)'",
      RECORD_OUTCOME,
    ),
    "Note the failed verification": {
      Type: "Pass",
      Comment: "The change did not remove the risk: take the failure path with the failing checks.",
      Assign: {
        failure: {
          state: "Verify the fix",
          error: "VerificationFailed",
          cause: jsonata(
            "'still at risk: ' & $join($verification.checks[ok = false].(name & (detail ? ' (' & detail & ')' : '')), '; ')",
          ),
        },
      },
      Next: RECORD_FAILURE,
    },
  };
}

const closing: Record<string, AslState> = {
  [RECORD_OUTCOME]: lambdaTask("record", {
    comment: "Write the final status and its reason on the incident and its audit trail (a status never regresses).",
    payload: jsonata("$merge([{ 'incidentId': $incident.id, 'by': 'workflow' }, $outcome])"),
    timeoutSeconds: 30,
    assign: { recorded: jsonata("$states.result.Payload") },
    failureTarget: RECORD_FAILURE,
    next: "Announce the outcome",
  }),
  "Announce the outcome": lambdaTask("notify", {
    comment: "Update the Slack message and SNS with the final status.",
    payload: { incident: jsonata("$incident"), kind: "status", status: jsonata("$recorded.status") },
    timeoutSeconds: 30,
    failureTarget: RECORD_FAILURE,
    next: "Incident closed",
  }),
  "Incident closed": {
    Type: "Succeed",
    Comment: "The incident has its final status.",
    Output: { incidentId: jsonata("$incident.id"), status: jsonata("$recorded.status") },
  },
  [RECORD_FAILURE]: lambdaTask("record", {
    comment: "The one failure path: the incident ends FAILED, with what failed and why.",
    payload: {
      incidentId: jsonata("$incident.id"),
      status: "FAILED",
      reason: jsonata("$failure.state & ' failed'"),
      by: "workflow",
      error: jsonata("$failure"),
    },
    timeoutSeconds: 30,
    assign: { recorded: jsonata("$states.result.Payload") },
    failureTarget: "Workflow failed",
    next: "Escalate the failure",
  }),
  "Escalate the failure": lambdaTask("notify", {
    comment: "Tell the responders the automation failed and a human must act.",
    payload: { incident: jsonata("$incident"), kind: "escalation", status: "FAILED", error: jsonata("$failure") },
    timeoutSeconds: 30,
    failureTarget: "Workflow failed",
    next: "Workflow failed",
  }),
  "Workflow failed": {
    Type: "Fail",
    Comment: "The execution fails with the original error, so failed remediations raise the workflow alarm.",
    Error: jsonata("$failure.error"),
    Cause: jsonata("$failure.cause"),
  },
};

/** The category's state machine definition, with `${…Function}` placeholders for its Lambdas. */
export function incidentWorkflow(profile: CategoryProfile): AslStateMachine {
  return {
    Comment: `Riposte ${profile.category} incidents (${profile.summary}): open, enrich, score, notify, approve, remediate, verify, record.`,
    QueryLanguage: "JSONata",
    StartAt: "Open the incident",
    States: { ...opening, ...triage, ...confirmation, ...approval, ...remediation(profile), ...closing },
  };
}
