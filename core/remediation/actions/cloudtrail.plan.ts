import { awsCall } from "../aws/calls.js";
import type { ActionPlanner } from "../types.js";
import { ID_PATTERNS, notApplicable, ok } from "./facts.js";

/**
 * `cloudtrail-start-logging`: StartLogging on a stopped trail, by name and in the trail's home
 * region (a trail ARN is turned into both: StartLogging must be called in the home region, and
 * by name it works everywhere, emulators included). A deleted trail cannot be restarted: it is
 * reported, never "fixed".
 */

export interface TrailTarget {
  name: string;
  /** The trail's home region (from its ARN), else the incident's. */
  region: string;
}

export interface TrailState {
  logging: boolean;
}

/** `arn:aws:cloudtrail:<region>:<account>:trail/<name>` → its region and name. */
export function parseTrailArn(arn: string): { region: string; name: string } | undefined {
  const match = /^arn:aws[\w-]*:cloudtrail:([a-z0-9-]+):\d{12}:trail\/(.+)$/.exec(arn);
  return match ? { region: match[1]!, name: match[2]! } : undefined;
}

/** CloudTrail events that StartLogging undoes; other tampering is reported to people. */
const UNDONE_BY_START_LOGGING = new Set(["StopLogging"]);

export const startLoggingPlanner: ActionPlanner<TrailTarget, TrailState> = {
  id: "cloudtrail-start-logging",
  description: "Start logging again on the stopped CloudTrail trail.",
  permissions: ["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:ListTags", "cloudtrail:StartLogging"],
  destructive: false,
  resolve(incident) {
    const facts = incident.facts;
    const eventName = typeof facts.eventName === "string" ? facts.eventName : undefined;
    if (eventName === "DeleteTrail") {
      return notApplicable("the trail was deleted: StartLogging cannot bring it back; recreate the trail");
    }
    if (eventName && !UNDONE_BY_START_LOGGING.has(eventName)) {
      return notApplicable(`StartLogging does not undo ${eventName}: review the trail's configuration by hand`);
    }
    const candidates = [facts.trailArn, facts.trailName].filter((v): v is string => typeof v === "string" && v !== "");
    for (const candidate of candidates) {
      const fromArn = parseTrailArn(candidate);
      if (fromArn && ID_PATTERNS.trailName.test(fromArn.name)) return ok(fromArn);
      if (ID_PATTERNS.trailName.test(candidate)) return ok({ name: candidate, region: incident.region });
    }
    return notApplicable("the incident's facts name no trail");
  },
  label: (target) => `trail ${target.name} (${target.region})`,
  describe: ({ target }) => `Start logging again on CloudTrail trail ${target.name} in ${target.region}.`,
  assume: () => ({ logging: false }),
  plan: ({ target, state }) =>
    state.logging ? [] : [awsCall("cloudtrail", "StartLogging", { Name: target.name }, target.region)],
};
