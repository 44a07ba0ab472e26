import { IAMClient, ListUserTagsCommand } from "@aws-sdk/client-iam";
import type { RiposteConfig } from "../config/schema.js";
import { slackApi } from "../notify/slack.js";
import type { TaskDeps } from "../task-deps.js";

/**
 * Who to ask "was this you?": the CloudTrail principal of an incident mapped to a Slack user.
 * The principal text comes from the event, so an attacker chooses it: it is only ever compared
 * exactly (never as a pattern, prefix or case-folded), an IAM user name is taken only from a
 * well-formed IAM user ARN of the incident's own account, and whatever a tag or Slack answers must
 * itself look like a Slack user id (or an email) before it is used.
 */

export type ActorSource = "table" | "iam-tag" | "email-tag";
export interface MappedActor {
  slackUser: string;
  via: ActorSource;
}

/** The lookups the tag modes make; the runtime's (`actorLookups(deps)`) or a test's. */
export interface ActorLookups {
  /** The IAM user's tags (ListUserTags), by key. */
  listUserTags(userName: string): Promise<Record<string, string>>;
  /** Slack's users.lookupByEmail: the user id, or undefined when no user has that email. */
  lookupByEmail(email: string): Promise<string | undefined>;
}

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
// IAM user names: [\w+=,.@-]{1,64}, after an optional path of the same characters and slashes.
const IAM_USER_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):user\/(?:[\w+=,.@/-]{0,510}\/)?([\w+=,.@-]{1,64})$/;
// Deliberately plain: one @, no spaces or control characters, a dot in the domain, at most 254.
const EMAIL = /^[^\s@<>|]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,63}$/;

/** The IAM user name of a principal that is an IAM user of `account`; undefined for anything else. */
export function iamUserName(principal: string, account: string): string | undefined {
  const match = IAM_USER_ARN.exec(principal);
  if (!match || match[1] !== account) return undefined;
  return match[2];
}

/**
 * The Slack user for an incident's principal, or undefined (nobody is asked; the detection's
 * default response applies). The table is read first: the principal exactly, then the IAM user
 * name of an IAM user ARN of the incident's account. Then the configured tag mode.
 */
export async function mapActor(
  incident: { principal: string; account: string },
  actors: RiposteConfig["confirmation"]["actors"],
  lookups: ActorLookups,
): Promise<MappedActor | undefined> {
  const { principal, account } = incident;
  if (principal === "") return undefined;
  const userName = iamUserName(principal, account);
  const table = actors.table;
  for (const key of [principal, userName]) {
    if (key !== undefined && Object.hasOwn(table, key)) return { slackUser: table[key] as string, via: "table" };
  }
  if (actors.mode === "table" || userName === undefined || actors.tagKey === undefined) return undefined;
  const tags = await lookups.listUserTags(userName);
  const value = Object.hasOwn(tags, actors.tagKey) ? tags[actors.tagKey]?.trim() : undefined;
  if (!value) return undefined;
  if (actors.mode === "iam-tag") return SLACK_USER.test(value) ? { slackUser: value, via: "iam-tag" } : undefined;
  if (value.length > 254 || !EMAIL.test(value)) return undefined;
  const found = await lookups.lookupByEmail(value);
  return found !== undefined && SLACK_USER.test(found) ? { slackUser: found, via: "email-tag" } : undefined;
}

/** The runtime's lookups: IAM through the deps' AWS options, Slack through its bot token. */
export function actorLookups(deps: TaskDeps): ActorLookups {
  let iam: IAMClient | undefined;
  return {
    async listUserTags(userName) {
      iam ??= new IAMClient({
        region: deps.aws.region ?? "us-east-1",
        ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
        ...(deps.aws.maxAttempts ? { maxAttempts: deps.aws.maxAttempts } : {}),
      });
      const tags: Record<string, string> = {};
      let marker: string | undefined;
      do {
        const page = await iam.send(
          new ListUserTagsCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }),
        );
        for (const tag of page.Tags ?? [])
          if (tag.Key !== undefined && tag.Value !== undefined) tags[tag.Key] = tag.Value;
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return tags;
    },
    async lookupByEmail(email) {
      const slack = slackApi(deps);
      if (!slack) return undefined;
      return slack.lookupUserByEmail(email);
    },
  };
}
