import { declareDistinctCount } from "../correlate.js";
import { request } from "../declare.js";
import { accountOf, identityFacts, identityOf, type Json, principalOf, quote, str } from "../record.js";
import { principalStateKey } from "./principal-state.js";

/**
 * One principal reading many secrets: Secrets Manager values and SSM parameters read decrypted,
 * counted as distinct (service, secret) pairs in a window. A secret named in the request is counted
 * under its name: an ARN in the event's own account and region becomes the name (without the six
 * random characters Secrets Manager appends), so reading one secret by name and by ARN counts once;
 * in another account or region it keeps them.
 */

const SECRETS_MANAGER = "secretsmanager.amazonaws.com";
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]*):(\d{12}):secret:(.+)$/;
const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]*):(\d{12}):parameter(\/.*)$/;
/** The suffix Secrets Manager adds to the name in a secret's ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** Strings of a request field: a list, or one string; anything else is none. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return value ? [value] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === "string" && item !== "");
}

/** `<service>:<name>`, with the account and region when they are not the event's. */
function qualified(service: string, name: string, record: Json, region?: string, account?: string): string {
  const foreign =
    (region !== undefined && region !== str(record.awsRegion)) ||
    (account !== undefined && account !== accountOf(record));
  return foreign ? `${service}:${account ?? ""}:${region ?? ""}:${name}` : `${service}:${name}`;
}

function secretValue(id: string, record: Json): string {
  const arn = SECRET_ARN.exec(id);
  if (!arn) return qualified("secretsmanager", id, record);
  return qualified("secretsmanager", arn[3]!.replace(RANDOM_SUFFIX, ""), record, arn[1], arn[2]);
}

/** Parameter names with one leading slash (`a` and `/a` are one parameter), without a `:version` or `:label`. */
const parameterName = (name: string) => `/${name.split(":")[0]!.replace(/^\/+/, "")}`;

function parameterValue(name: string, record: Json): string {
  const arn = PARAMETER_ARN.exec(name);
  if (!arn) return qualified("ssm", parameterName(name), record);
  return qualified("ssm", parameterName(arn[3]!), record, arn[1], arn[2]);
}

/** The distinct (service, name) values one read brings. */
export function secretsRead(record: Json): string[] {
  const eventName = str(record.eventName);
  if (str(record.eventSource) === SECRETS_MANAGER) {
    if (eventName === "GetSecretValue")
      return strings(request(record, "secretId")).map((id) => secretValue(id, record));
    const listed = strings(request(record, "secretIdList")).map((id) => secretValue(id, record));
    const filters = request(record, "filters");
    // Secrets chosen by filters are one read here (each also gets its own GetSecretValue entry).
    if (Array.isArray(filters) && filters.length > 0) listed.push(`secretsmanager:filters ${JSON.stringify(filters)}`);
    return listed;
  }
  if (request(record, "withDecryption") !== true) return [];
  if (eventName === "GetParametersByPath") {
    return strings(request(record, "path")).map((path) => `ssm:path ${parameterName(path)}`);
  }
  const names = eventName === "GetParameter" ? request(record, "name") : request(record, "names");
  return strings(names).map((name) => parameterValue(name, record));
}

export const secretsBulkRead = declareDistinctCount({
  id: "secrets-bulk-read",
  title: "Bulk read of secrets",
  category: "identity",
  severity: "high",
  attack: { id: "T1555.006", name: "Credentials from Password Stores: Cloud Secrets Management Stores" },
  asff: ["TTPs/Credential Access"],
  description:
    "One principal read at least `thresholds.secretsBulkRead.secrets` (10) distinct secrets within `thresholds.secretsBulkRead.windowMinutes` (10) minutes: Secrets Manager GetSecretValue and BatchGetSecretValue (each listed secret; a batch chosen by filters counts once), and SSM GetParameter, GetParameters and GetParametersByPath with decryption (each name or path). Secrets and parameters count together; reading one again does not count twice. It fires once per window per principal; calls by AWS services themselves are not counted.",
  why: "An application reads the few secrets it needs; a stolen identity is used to dump every secret it can reach, database passwords and API keys included, to move further.",
  tuning:
    "Raise `thresholds.secretsBulkRead.secrets` or shorten `windowMinutes` for principals that legitimately read many secrets at once (container tasks that start with many secrets, deployments resolving secret references, configuration loaders); Riposte cannot tell such a start-up from a dump. These calls are read-only management events: CloudTrail must log read events, and on AWS its rule is created in the `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` state, which EventBridge requires to deliver them (with `aws.readOnlyManagementEvents` false it sees nothing); `riposte serve` polling CloudTrail needs `sources.cloudtrailPoll.includeReadOnly` (the default).",
  response: { mode: "notify" },
  readOnlyCalls: true,
  calls: [
    { source: "aws.secretsmanager", names: ["GetSecretValue", "BatchGetSecretValue"] },
    // Parameter reads count only when they decrypt: checked by EventBridge (most reads do not).
    {
      source: "aws.ssm",
      names: ["GetParameter", "GetParameters", "GetParametersByPath"],
      where: { requestParameters: { withDecryption: [true] } },
    },
  ],
  group: (record) => {
    if (str(identityOf(record).type) === "AWSService") return undefined;
    const principal = principalOf(record);
    return principal ? principalStateKey(accountOf(record), principal) : undefined;
  },
  threshold: (config) => ({
    count: config.thresholds.secretsBulkRead.secrets,
    windowMinutes: config.thresholds.secretsBulkRead.windowMinutes,
  }),
  values: (record) => secretsRead(record),
  found: (record, counted, context) => {
    const principal = principalOf(record);
    const secrets = counted.map((entry) => entry.value);
    const shown = secrets.slice(0, 3).map((secret) => quote(secret, 60));
    const more = secrets.length > shown.length ? `, and ${secrets.length - shown.length} more` : "";
    return {
      resource: principal,
      summary: `${quote(principal)} read ${secrets.length} distinct secrets within ${context.config.thresholds.secretsBulkRead.windowMinutes} minutes: ${shown.join(", ")}${more}`,
      facts: { ...identityFacts(record), eventName: str(record.eventName), secrets, secretCount: secrets.length },
    };
  },
});
