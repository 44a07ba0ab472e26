import type { RiposteConfig } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { RemediationActionId } from "../model/actions.js";
import type { AwsCall, VerifyResult } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import type { AwsGateway } from "./aws/gateway.js";

/**
 * The shape of a remediation action. An action is a registry entry (house style item 8): an id,
 * the IAM permissions it needs, whether it is destructive, and plan / apply / verify. Planning is
 * pure — from a state to the exact calls — so one function serves the static plan shown to
 * approvers, dry-run (state assumed from the incident's facts) and live runs (state read live).
 */

/** What an action reads of an incident: where, who, what, and the detection's facts. */
export type IncidentView = Pick<
  WorkingIncident,
  "id" | "detection" | "account" | "region" | "principal" | "resource" | "time" | "facts"
> &
  Partial<Pick<WorkingIncident, "sourceIp" | "enrichment">>;

/** Where an action applies, or why it cannot (the reason is shown to people). */
export type Resolution<T> = { ok: true; target: T } | { ok: false; reason: string };

export interface PlanEnv {
  config: RiposteConfig;
  now: Date;
  incident: IncidentView;
}

export interface TargetContext<T> extends PlanEnv {
  target: T;
}

export interface PlanContext<T, S> extends TargetContext<T> {
  /** The resource's state: read live, or assumed from the facts (dry-run, static plans). */
  state: S;
}

/**
 * A live read of the target: its state and the tags of every resource it touches (checked for
 * the protection tag before anything changes), or why it no longer exists.
 */
/**
 * A target read live: its state, the tags of it and what it belongs to, and the ARNs of the IAM
 * principals it is or belongs to (a user, a key's owner), so the guardrails judge what IAM says
 * and not only what the event claimed.
 */
export type Snapshot<S> = { state: S; tags: Record<string, string>[]; principals?: string[] } | { gone: string };

export interface LiveContext<T> extends TargetContext<T> {
  aws: AwsGateway;
  logger: Logger;
}

export type VerifyCheck = VerifyResult["checks"][number];

/** AWS error codes an action gives a meaning to when its calls fail. */
export interface ErrorMeaning {
  /** The target vanished: "already gone". */
  gone?: readonly string[];
  /** What the call would remove is not there: the fix is already in place. */
  alreadyDone?: readonly string[];
  /** Someone changed the target between read and write: read again and re-plan. */
  conflict?: readonly string[];
}

/** The pure half of an action: where it applies and which exact calls fix a given state. */
export interface ActionPlanner<T, S> {
  id: RemediationActionId;
  /** What the action does, in a line. */
  description: string;
  /** IAM actions its calls need (the remediation role's policy is generated from these). */
  permissions: readonly string[];
  /**
   * Disrupts legitimate use beyond the offending change: always needs approval. A function when
   * only some targets of the action are (nacl-delete-allow-all-entry restoring a replaced entry).
   */
  destructive: boolean | ((target: T) => boolean);
  /**
   * Services its calls hand an existing role to (PutBucketReplication keeps the configuration's
   * role): iam:PassRole is granted for these services only (`iam:PassedToService`).
   */
  passesRoleTo?: readonly string[];
  /** The target, from the incident's facts (validated), or why the action does not apply. */
  resolve(incident: IncidentView, config: RiposteConfig): Resolution<T>;
  /** A stable name of the target: the same when planned and when applied. */
  label(target: T): string;
  /** The plan in plain words, for approvers. */
  describe(ctx: TargetContext<T>): string;
  /** The state the facts imply, without reading AWS. */
  assume(ctx: TargetContext<T>): S;
  /** Pure: the exact calls that remove the risk from `state`; none when it is already removed. */
  plan(ctx: PlanContext<T, S>): AwsCall[];
}

/** A whole action: the planner plus the live half (snapshot, apply, verify). */
export interface RemediationAction<T, S> extends ActionPlanner<T, S> {
  errors: ErrorMeaning;
  /** Read the target live (the before and after snapshots). */
  snapshot(ctx: LiveContext<T>): Promise<Snapshot<S>>;
  /** Send the planned calls. */
  apply(ctx: LiveContext<T> & { calls: AwsCall[] }): Promise<void>;
  /** Read live and prove the risk is gone. */
  verify(ctx: LiveContext<T>): Promise<VerifyCheck[]>;
  /** For changes that undo themselves later: when, and what the cleanup needs (see `sweep.ts`). */
  expiry?(target: T, calls: AwsCall[]): { at: string; detail: Record<string, string> } | undefined;
}

/** Whether the action is destructive for this target (see `ActionPlanner.destructive`). */
export function isDestructive<T>(planner: Pick<ActionPlanner<T, unknown>, "destructive">, target: T): boolean {
  return typeof planner.destructive === "function" ? planner.destructive(target) : planner.destructive;
}

/** Any planner or action, with its target and state types erased for the registries. */
export type AnyPlanner = ActionPlanner<unknown, unknown>;
export type AnyAction = RemediationAction<unknown, unknown>;

/** Erase a planner's types for a registry; its methods only ever see its own targets. */
export function erasePlanner<T, S>(planner: ActionPlanner<T, S>): AnyPlanner {
  return planner as unknown as AnyPlanner;
}

/** Erase an action's types for the registry; its methods only ever see its own targets. */
export function eraseAction<T, S>(action: RemediationAction<T, S>): AnyAction {
  return action as unknown as AnyAction;
}

export type { RemediationActionId };
