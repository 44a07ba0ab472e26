import type { RiposteConfig } from "../config/schema.js";
import { incidentIdFor } from "../incidents/id.js";
import type { Severity } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import { PLANNERS } from "../remediation/planners.js";
import { chooseActions } from "../remediation/responses.js";
import { findingTypesOf, guardDutyTypes } from "./asff-types.js";
import { UnexportableFinding } from "./errors.js";
import { OCSF_VERSION } from "./facts.js";
import { exportIdFor } from "./id.js";
import {
  affectedResource,
  type ExportPlace,
  isAccountId,
  isRegionName,
  PARTITIONS,
  partitionOf,
  placed,
} from "./resources.js";
import { hasText, isWellFormed, wellFormed } from "./text.js";

/**
 * Findings as OCSF 1.3.0 Detection Finding events (class 2004, category 2 Findings, activity 1
 * Create) with the Cloud profile, and a validator written from the OCSF 1.3.0 schema
 * (ocsf/ocsf-schema tag 1.3.0: events/findings/detection_finding.json, finding.json,
 * base_event.json and the objects used): required attributes, enum values, attribute types and
 * the "at least one of" constraints. Times are epoch milliseconds (`timestamp_t`).
 */

export { OCSF_VERSION };
export const DETECTION_FINDING = { class_uid: 2004, category_uid: 2, activity_id: 1 } as const;

/** OCSF `severity_id` (0 Unknown … 5 Critical, 6 Fatal, 99 Other) of each Riposte severity. */
const SEVERITY: Record<Severity, { id: number; caption: string }> = {
  info: { id: 1, caption: "Informational" },
  low: { id: 2, caption: "Low" },
  medium: { id: 3, caption: "Medium" },
  high: { id: 4, caption: "High" },
  critical: { id: 5, caption: "Critical" },
};

const AWS_ACCOUNT_TYPE = { type_id: 10, type: "AWS Account" } as const;

export interface OcsfOptions {
  config: RiposteConfig;
  /** Riposte's version, for `metadata.product.version`. */
  productVersion: string;
  /** Account and region of findings whose logs name none. */
  place?: ExportPlace;
}

type Json = Record<string, unknown>;

function text(value: string): string {
  return wellFormed(value);
}

function principalUser(principal: string): Json {
  const name = principal.split(/[/:]/).filter(Boolean).pop() ?? principal;
  return { uid: text(principal), name: text(name) };
}

/**
 * One finding as an OCSF Detection Finding. Throws `UnexportableFinding` when its time is not a
 * time (`time` is required and must be epoch milliseconds).
 */
export function toOcsf(original: Finding, options: OcsfOptions): Json {
  const finding = placed(original, options.place);
  const id = exportIdFor(finding);
  const time = Date.parse(finding.time);
  if (Number.isNaN(time)) {
    throw new UnexportableFinding("ocsf", id, [`time ${JSON.stringify(finding.time)} is not a timestamp`]);
  }
  const severity = SEVERITY[finding.severity];
  const resource = affectedResource(finding);
  const region = isRegionName(finding.region) ? finding.region : undefined;
  const types =
    finding.detection === "guardduty-finding" ? guardDutyTypes(finding.facts.findingType) : findingTypesOf(finding);
  const [action] = chooseActions({ ...finding, id }, options.config).actions;
  const actor = hasText(finding.principal) ? { user: principalUser(finding.principal) } : undefined;
  const sourceIp = finding.sourceIp && hasText(finding.sourceIp) ? finding.sourceIp : undefined;
  return {
    activity_id: DETECTION_FINDING.activity_id,
    activity_name: "Create",
    category_uid: DETECTION_FINDING.category_uid,
    category_name: "Findings",
    class_uid: DETECTION_FINDING.class_uid,
    class_name: "Detection Finding",
    type_uid: DETECTION_FINDING.class_uid * 100 + DETECTION_FINDING.activity_id,
    type_name: "Detection Finding: Create",
    severity_id: severity.id,
    severity: severity.caption,
    status_id: 1,
    status: "New",
    time,
    message: text(finding.summary),
    metadata: {
      version: OCSF_VERSION,
      profiles: ["cloud"],
      product: { name: "Riposte", vendor_name: "Riposte", version: options.productVersion },
    },
    finding_info: {
      uid: id,
      title: text(finding.title),
      desc: text(finding.summary),
      types: [...types],
      created_time: time,
      first_seen_time: time,
      last_seen_time: time,
      analytic: { uid: finding.detection, name: text(finding.title), type_id: 1, type: "Rule" },
    },
    resources: [
      {
        uid: text(resource.id),
        name: text(resource.name),
        type: resource.type,
        ...(region ? { region, cloud_partition: partitionOf(region) } : {}),
      },
    ],
    cloud: {
      provider: "AWS",
      ...(region ? { region } : {}),
      ...(isAccountId(finding.account) ? { account: { uid: finding.account, ...AWS_ACCOUNT_TYPE } } : {}),
    },
    ...(actor ? { actor } : {}),
    ...(sourceIp ? { evidences: [{ src_endpoint: { ip: text(sourceIp) }, ...(actor ? { actor } : {}) }] } : {}),
    ...(action ? { remediation: { desc: `${PLANNERS[action].description} (Riposte action ${action})` } } : {}),
    unmapped: {
      riposte: {
        detection: finding.detection,
        category: finding.category,
        incidentId: incidentIdFor(finding),
        eventIds: finding.eventIds.map(text),
        ...(hasText(finding.resource) ? { resource: text(finding.resource) } : {}),
        ...(finding.userAgent ? { userAgent: text(finding.userAgent) } : {}),
      },
    },
  };
}

// ---- Validation against the OCSF 1.3.0 schema, for the attributes and objects Riposte writes.

type Check =
  | "string"
  | "integer"
  | "timestamp"
  | "json"
  | { enum: readonly number[] }
  | { array: Check }
  | { object: ObjectSpec };

interface ObjectSpec {
  /** Every attribute the object has in OCSF 1.3.0 (anything else is reported). */
  attributes: Readonly<Record<string, Check>>;
  required?: readonly string[];
  /** OCSF "at_least_one" constraint. */
  atLeastOne?: readonly string[];
}

/** Attributes Riposte does not write: known to the schema, their contents not checked here. */
function others(...names: string[]): Record<string, Check> {
  return Object.fromEntries(names.map((name) => [name, "json" as const]));
}

const ENTITY = ["name", "uid"] as const;

const USER: ObjectSpec = {
  attributes: {
    name: "string",
    uid: "string",
    type: "string",
    type_id: { enum: [0, 1, 2, 3, 99] },
    ...others("account", "credential_uid", "domain", "email_addr", "full_name", "groups", "ldap_person", "org"),
    ...others("risk_level", "risk_level_id", "risk_score", "uid_alt"),
  },
  atLeastOne: ["account", "name", "uid"],
};

const ACTOR: ObjectSpec = {
  attributes: {
    user: { object: USER },
    ...others("app_name", "app_uid", "authorizations", "idp", "invoked_by", "process", "session"),
  },
  atLeastOne: ["process", "user", "invoked_by", "session", "app_name", "app_uid"],
};

const NETWORK_ENDPOINT: ObjectSpec = {
  attributes: {
    ip: "string",
    ...others("agent_list", "autonomous_system", "container", "domain", "hostname", "hw_info", "instance_uid"),
    ...others("interface_name", "interface_uid", "intermediate_ips", "location", "mac", "name", "namespace_pid", "os"),
    ...others("owner", "port", "proxy_endpoint", "subnet_uid", "svc_name", "type", "type_id", "uid", "vlan_uid"),
    ...others("vpc_uid", "zone"),
  },
  atLeastOne: ["ip", "uid", "name", "hostname", "svc_name", "instance_uid", "interface_uid", "interface_name"],
};

const EVIDENCES: ObjectSpec = {
  attributes: {
    actor: { object: ACTOR },
    src_endpoint: { object: NETWORK_ENDPOINT },
    ...others("api", "connection_info", "container", "data", "database", "databucket", "device", "dst_endpoint"),
    ...others("email", "file", "job", "process", "query", "url", "user"),
  },
  atLeastOne: ["actor", "api", "connection_info", "data", "database", "databucket", "device", "dst_endpoint"].concat([
    "email",
    "file",
    "process",
    "query",
    "src_endpoint",
    "url",
    "user",
    "job",
  ]),
};

const RESOURCE_DETAILS: ObjectSpec = {
  attributes: {
    uid: "string",
    name: "string",
    type: "string",
    region: "string",
    cloud_partition: "string",
    ...others("agent_list", "criticality", "data", "data_classification", "group", "labels", "namespace", "owner"),
    ...others("version"),
  },
  atLeastOne: ENTITY,
};

const CLOUD: ObjectSpec = {
  attributes: {
    provider: "string",
    region: "string",
    account: {
      object: {
        attributes: {
          uid: "string",
          name: "string",
          type: "string",
          type_id: { enum: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99] },
          labels: "json",
        },
        atLeastOne: ENTITY,
      },
    },
    ...others("org", "project_uid", "zone"),
  },
  required: ["provider"],
};

const ANALYTIC: ObjectSpec = {
  attributes: {
    uid: "string",
    name: "string",
    type: "string",
    type_id: { enum: [0, 1, 2, 3, 4, 99] },
    ...others("category", "desc", "related_analytics", "version"),
  },
  required: ["type_id"],
  atLeastOne: ENTITY,
};

const FINDING_INFO: ObjectSpec = {
  attributes: {
    uid: "string",
    title: "string",
    desc: "string",
    types: { array: "string" },
    created_time: "timestamp",
    first_seen_time: "timestamp",
    last_seen_time: "timestamp",
    analytic: { object: ANALYTIC },
    ...others("attacks", "data_sources", "kill_chain", "modified_time", "product_uid", "related_analytics"),
    ...others("related_events", "src_url"),
  },
  required: ["title", "uid"],
};

const METADATA: ObjectSpec = {
  attributes: {
    version: "string",
    profiles: { array: "string" },
    product: {
      object: {
        attributes: {
          name: "string",
          vendor_name: "string",
          version: "string",
          ...others("cpe_name", "data_classification", "feature", "lang", "path", "uid", "url_string"),
        },
        required: ["vendor_name"],
        atLeastOne: ENTITY,
      },
    },
    ...others("correlation_uid", "data_classification", "event_code", "extension", "extensions", "labels"),
    ...others("log_level", "log_name", "log_provider", "log_version", "logged_time", "loggers", "modified_time"),
    ...others("original_time", "processed_time", "sequence", "tenant_uid", "uid"),
  },
  required: ["product", "version"],
};

/** The Detection Finding class (base event, finding, detection finding) in OCSF 1.3.0. */
const DETECTION_FINDING_SPEC: ObjectSpec = {
  attributes: {
    activity_id: { enum: [0, 1, 2, 3, 99] },
    activity_name: "string",
    category_uid: { enum: [DETECTION_FINDING.category_uid] },
    category_name: "string",
    class_uid: { enum: [DETECTION_FINDING.class_uid] },
    class_name: "string",
    type_uid: "integer",
    type_name: "string",
    severity_id: { enum: [0, 1, 2, 3, 4, 5, 6, 99] },
    severity: "string",
    status_id: { enum: [0, 1, 2, 3, 4, 99] },
    status: "string",
    time: "timestamp",
    message: "string",
    metadata: { object: METADATA },
    finding_info: { object: FINDING_INFO },
    resources: { array: { object: RESOURCE_DETAILS } },
    cloud: { object: CLOUD },
    actor: { object: ACTOR },
    evidences: { array: { object: EVIDENCES } },
    remediation: {
      object: {
        attributes: { desc: "string", ...others("kb_article_list", "kb_articles", "references") },
        required: ["desc"],
      },
    },
    unmapped: "json",
    ...others("action", "action_id", "api", "attacks", "authorizations", "comment", "confidence", "confidence_id"),
    ...others("confidence_score", "count", "device", "disposition", "disposition_id", "duration", "end_time"),
    ...others("enrichments", "firewall_rule", "impact", "impact_id", "impact_score", "malware", "observables"),
    ...others("osint", "raw_data", "risk_details", "risk_level", "risk_level_id", "risk_score", "start_time"),
    ...others("status_code", "status_detail", "timezone_offset", "vulnerabilities"),
  },
  required: ["activity_id", "category_uid", "class_uid", "type_uid", "time", "metadata", "severity_id", "finding_info"],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkValue(problems: string[], path: string, check: Check, value: unknown): void {
  if (check === "json") return;
  if (check === "string") {
    if (typeof value !== "string") problems.push(`${path} must be a string`);
    else if (!isWellFormed(value)) problems.push(`${path} has an unpaired surrogate`);
  } else if (check === "integer") {
    if (!Number.isSafeInteger(value)) problems.push(`${path} must be an integer`);
  } else if (check === "timestamp") {
    if (!Number.isSafeInteger(value) || (value as number) < 0) problems.push(`${path} must be epoch milliseconds`);
  } else if ("enum" in check) {
    if (!check.enum.includes(value as number)) problems.push(`${path} must be one of ${check.enum.join(", ")}`);
  } else if ("array" in check) {
    if (!Array.isArray(value)) problems.push(`${path} must be an array`);
    else {
      value.forEach((item, index) => {
        checkValue(problems, `${path}[${index}]`, check.array, item);
      });
    }
  } else {
    checkObject(problems, path, check.object, value);
  }
}

function checkObject(problems: string[], path: string, spec: ObjectSpec, value: unknown): void {
  const at = (name: string) => (path ? `${path}.${name}` : name);
  if (!isObject(value)) {
    problems.push(`${path || "the event"} must be an object`);
    return;
  }
  for (const name of spec.required ?? []) if (value[name] === undefined) problems.push(`${at(name)} is required`);
  if (spec.atLeastOne && !spec.atLeastOne.some((name) => value[name] !== undefined)) {
    problems.push(`${path} needs at least one of ${spec.atLeastOne.join(", ")}`);
  }
  for (const [name, item] of Object.entries(value)) {
    const check = Object.hasOwn(spec.attributes, name) ? spec.attributes[name] : undefined;
    if (!check) problems.push(`${at(wellFormed(name).slice(0, 40))} is not an OCSF ${OCSF_VERSION} attribute here`);
    else if (item !== undefined) checkValue(problems, at(name), check, item);
  }
}

/** Every problem that makes `value` an invalid OCSF 1.3.0 Detection Finding; empty when valid. */
export function validateOcsf(value: unknown): string[] {
  const problems: string[] = [];
  checkObject(problems, "", DETECTION_FINDING_SPEC, value);
  if (!isObject(value)) return problems;
  const { class_uid, activity_id, type_uid } = value;
  if (typeof class_uid === "number" && typeof activity_id === "number" && type_uid !== class_uid * 100 + activity_id) {
    problems.push("type_uid must be class_uid * 100 + activity_id");
  }
  const metadata = value.metadata;
  if (isObject(metadata) && metadata.version !== OCSF_VERSION)
    problems.push(`metadata.version must be "${OCSF_VERSION}"`);
  // A profile's required attributes apply once the event declares the profile.
  const profiles = isObject(metadata) && Array.isArray(metadata.profiles) ? metadata.profiles : [];
  if (profiles.includes("cloud") && value.cloud === undefined) problems.push("cloud is required by the cloud profile");
  const cloud = value.cloud;
  if (isObject(cloud) && typeof cloud.region === "string" && !isRegionName(cloud.region)) {
    problems.push("cloud.region must be an AWS region name");
  }
  if (Array.isArray(value.resources)) {
    value.resources.forEach((resource, index) => {
      if (
        isObject(resource) &&
        resource.cloud_partition !== undefined &&
        !(PARTITIONS as readonly unknown[]).includes(resource.cloud_partition)
      ) {
        problems.push(`resources[${index}].cloud_partition must be one of ${PARTITIONS.join(", ")}`);
      }
    });
  }
  return problems;
}

/** The finding as OCSF, validated: throws `UnexportableFinding` naming every problem. */
export function toValidOcsf(finding: Finding, options: OcsfOptions): Json {
  const event = toOcsf(finding, options);
  const problems = validateOcsf(event);
  if (problems.length > 0) throw new UnexportableFinding("ocsf", exportIdFor(placed(finding, options.place)), problems);
  return event;
}
