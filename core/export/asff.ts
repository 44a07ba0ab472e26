import type { RiposteConfig } from "../config/schema.js";
import { incidentIdFor } from "../incidents/id.js";
import { ASFF_TYPE_TAXONOMY } from "../model/asff-taxonomy.js";
import type { Severity } from "../model/catalog.js";
import type { Finding } from "../model/incident.js";
import { PLANNERS } from "../remediation/planners.js";
import { chooseActions } from "../remediation/responses.js";
import { attackOf, findingTypesOf, guardDutyTypes } from "./asff-types.js";
import { UnexportableFinding } from "./errors.js";
import { exportIdFor } from "./id.js";
import {
  type AwsResource,
  affectedResource,
  type ExportPlace,
  isAccountId,
  isRegionName,
  PARTITIONS,
  partitionOf,
  placed,
  principalResource,
} from "./resources.js";
import { fitText, hasText, isWellFormed, wellFormed } from "./text.js";

/**
 * Findings in the AWS Security Finding Format (ASFF), ready for Security Hub's
 * `BatchImportFindings` under the account's default (custom integration) product, and a
 * validator written from the ASFF reference (required attributes, types, length limits).
 *
 * The export is deterministic: the Id is the incident id (detection + hash of the event ids) and
 * every time is the event time, so scanning the same logs again yields the same findings and
 * importing them again changes nothing.
 */

export const ASFF_SCHEMA_VERSION = "2018-10-08";
export { ASFF_BATCH_LIMIT } from "./facts.js";

/** ASFF limits (AWS Security Hub API reference, AwsSecurityFinding and its objects). */
export const ASFF_LIMITS = {
  id: 512,
  productArn: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  types: 50,
  resources: 32,
  resourceType: 256,
  resourceRegion: 16,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  recommendationText: 512,
  /** BatchImportFindings rejects a finding larger than 240 KB. */
  findingBytes: 240 * 1024,
} as const;

export const ASFF_SEVERITY_LABELS = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type AsffSeverityLabel = (typeof ASFF_SEVERITY_LABELS)[number];

/** Riposte severity → ASFF label and the Normalized value Security Hub itself derives from it. */
const SEVERITY: Record<Severity, { Label: AsffSeverityLabel; Normalized: number }> = {
  info: { Label: "INFORMATIONAL", Normalized: 0 },
  low: { Label: "LOW", Normalized: 1 },
  medium: { Label: "MEDIUM", Normalized: 40 },
  high: { Label: "HIGH", Normalized: 70 },
  critical: { Label: "CRITICAL", Normalized: 90 },
};

export interface AsffResource {
  Type: string;
  Id: string;
  Partition?: string;
  Region?: string;
}

export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: { Label: AsffSeverityLabel; Normalized: number };
  Title: string;
  Description: string;
  Resources: AsffResource[];
  Workflow: { Status: "NEW" };
  RecordState: "ACTIVE";
  ProductFields: Record<string, string>;
  /** Where a provider states Severity and Types (the top-level ones are the customer's to change). */
  FindingProviderFields: { Severity: { Label: AsffSeverityLabel; Original: string }; Types: string[] };
  Remediation?: { Recommendation: { Text: string } };
}

/** The custom-integration product ARN of an account in a region. */
export function defaultProductArn(account: string, region: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

function asffResource(resource: AwsResource, region: string): AsffResource {
  return { Type: resource.type, Id: wellFormed(resource.id), Partition: partitionOf(region), Region: region };
}

function productFields(finding: Finding): Record<string, string> {
  const value = (text: string) => fitText(text, ASFF_LIMITS.productFieldValue);
  const attack = attackOf(finding);
  const fields: Record<string, string> = {
    "riposte/detection": finding.detection,
    "riposte/category": finding.category,
    // The id the incident has in Riposte's store (`riposte serve`).
    "riposte/incidentId": incidentIdFor(finding),
    "riposte/eventIds": value(finding.eventIds.join(",")),
    "riposte/eventCount": String(finding.eventIds.length),
  };
  if (attack) fields["riposte/attack"] = `${attack.id} ${attack.name}`;
  if (hasText(finding.principal)) fields["riposte/principal"] = value(finding.principal);
  if (hasText(finding.resource)) fields["riposte/resource"] = value(finding.resource);
  if (finding.sourceIp && hasText(finding.sourceIp)) fields["riposte/sourceIp"] = value(finding.sourceIp);
  if (finding.userAgent && hasText(finding.userAgent)) fields["riposte/userAgent"] = value(finding.userAgent);
  return fields;
}

/** What Riposte would do about the finding, in a line, when it has a remediation for it. */
function recommendation(finding: Finding, id: string, config: RiposteConfig): string | undefined {
  const [action] = chooseActions({ ...finding, id }, config).actions;
  if (!action) return undefined;
  return fitText(`${PLANNERS[action].description} (Riposte action ${action})`, ASFF_LIMITS.recommendationText);
}

/** The finding's event time as RFC 3339, or undefined when it is not a time. */
export function eventTime(finding: Finding): string | undefined {
  const ms = Date.parse(finding.time);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * One finding as ASFF. Throws `UnexportableFinding` when the finding cannot be a valid ASFF
 * finding (no 12-digit account, no region, no readable time): Security Hub would reject it.
 */
export function toAsff(original: Finding, config: RiposteConfig, place: ExportPlace = {}): AsffFinding {
  const finding = placed(original, place);
  const id = exportIdFor(finding);
  const problems: string[] = [];
  if (!isAccountId(finding.account)) problems.push(`account ${JSON.stringify(finding.account)} is not a 12-digit id`);
  if (!isRegionName(finding.region)) problems.push(`region ${JSON.stringify(finding.region)} is not an AWS region`);
  const time = eventTime(finding);
  if (!time) problems.push(`time ${JSON.stringify(finding.time)} is not a timestamp`);
  if (problems.length > 0 || !time) throw new UnexportableFinding("asff", id, problems);

  const resources = [affectedResource(finding)];
  const principal = principalResource(finding.principal);
  if (principal && principal.id !== resources[0]!.id) resources.push(principal);
  const types =
    finding.detection === "guardduty-finding" ? guardDutyTypes(finding.facts.findingType) : findingTypesOf(finding);
  const text = recommendation(finding, id, config);
  const title = fitText(finding.title, ASFF_LIMITS.title);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: id,
    ProductArn: defaultProductArn(finding.account, finding.region),
    GeneratorId: finding.detection,
    AwsAccountId: finding.account,
    Types: [...types],
    CreatedAt: time,
    UpdatedAt: time,
    FirstObservedAt: time,
    LastObservedAt: time,
    Severity: { ...SEVERITY[finding.severity] },
    Title: hasText(title) ? title : finding.detection,
    Description: fitText(hasText(finding.summary) ? finding.summary : finding.title, ASFF_LIMITS.description),
    Resources: resources.map((resource) => asffResource(resource, finding.region)),
    Workflow: { Status: "NEW" },
    RecordState: "ACTIVE",
    ProductFields: productFields(finding),
    FindingProviderFields: {
      Severity: { Label: SEVERITY[finding.severity].Label, Original: finding.severity },
      Types: [...types],
    },
    ...(text ? { Remediation: { Recommendation: { Text: text } } } : {}),
  };
}

// ---- Validation, from the ASFF reference: required attributes, types, valid values, limits.

/** Every top-level attribute of AwsSecurityFinding that Riposte may write. */
const KNOWN_ATTRIBUTES = new Set([
  "SchemaVersion",
  "Id",
  "ProductArn",
  "GeneratorId",
  "AwsAccountId",
  "Region",
  "Types",
  "CreatedAt",
  "UpdatedAt",
  "FirstObservedAt",
  "LastObservedAt",
  "Severity",
  "Title",
  "Description",
  "Resources",
  "Workflow",
  "RecordState",
  "ProductFields",
  "FindingProviderFields",
  "Remediation",
  "SourceUrl",
  "UserDefinedFields",
  "Confidence",
  "Criticality",
  "Note",
  "RelatedFindings",
  "Network",
  "Compliance",
]);

const PRODUCT_ARN = /^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:product\/\S+$/;
// The timestamp formats the reference lists: seconds, up to 9 fraction digits, Z or an offset.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const WORKFLOW_STATUSES = ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"];
const RECORD_STATES = ["ACTIVE", "ARCHIVED"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems of a string attribute: present, a string with a non-space character, within limits. */
function checkString(problems: string[], path: string, value: unknown, max?: number, required = true): void {
  if (value === undefined) {
    if (required) problems.push(`${path} is required`);
    return;
  }
  if (typeof value !== "string") {
    problems.push(`${path} must be a string`);
    return;
  }
  if (!hasText(value)) problems.push(`${path} must contain a non-space character`);
  if (max !== undefined && value.length > max) problems.push(`${path} is longer than ${max} characters`);
  if (!isWellFormed(value)) problems.push(`${path} has an unpaired surrogate`);
}

function checkTimestamp(problems: string[], path: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string" || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) {
    problems.push(`${path} must be an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM))`);
  }
}

function checkTypes(problems: string[], value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push("Types must be a non-empty array");
    return;
  }
  if (value.length > ASFF_LIMITS.types) problems.push(`Types has more than ${ASFF_LIMITS.types} items`);
  value.forEach((type, index) => {
    if (typeof type !== "string") {
      problems.push(`Types[${index}] must be a string`);
      return;
    }
    const [namespace, category, ...rest] = type.split("/");
    if (!Object.hasOwn(ASFF_TYPE_TAXONOMY, namespace!)) {
      problems.push(
        `Types[${index}] namespace "${namespace}" is not one of ${Object.keys(ASFF_TYPE_TAXONOMY).join(", ")}`,
      );
    }
    if (rest.length > 1 || [category, ...rest].some((part) => part !== undefined && !hasText(part))) {
      problems.push(`Types[${index}] must be namespace[/category[/classifier]]`);
    }
  });
}

function checkSeverity(problems: string[], value: unknown): void {
  if (!isObject(value)) {
    problems.push("Severity is required (an object)");
    return;
  }
  const { Label, Normalized } = value;
  if (Label === undefined && Normalized === undefined) problems.push("Severity needs Label or Normalized");
  if (Label !== undefined && !(ASFF_SEVERITY_LABELS as readonly unknown[]).includes(Label)) {
    problems.push(`Severity.Label must be one of ${ASFF_SEVERITY_LABELS.join(", ")}`);
  }
  if (
    Normalized !== undefined &&
    !(Number.isInteger(Normalized) && (Normalized as number) >= 0 && (Normalized as number) <= 100)
  ) {
    problems.push("Severity.Normalized must be an integer from 0 to 100");
  }
}

function checkResources(problems: string[], value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push("Resources must be a non-empty array");
    return;
  }
  if (value.length > ASFF_LIMITS.resources) problems.push(`Resources has more than ${ASFF_LIMITS.resources} items`);
  value.forEach((resource, index) => {
    const path = `Resources[${index}]`;
    if (!isObject(resource)) {
      problems.push(`${path} must be an object`);
      return;
    }
    checkString(problems, `${path}.Type`, resource.Type, ASFF_LIMITS.resourceType);
    checkString(problems, `${path}.Id`, resource.Id);
    if (resource.Partition !== undefined && !(PARTITIONS as readonly unknown[]).includes(resource.Partition)) {
      problems.push(`${path}.Partition must be one of ${PARTITIONS.join(", ")}`);
    }
    checkString(problems, `${path}.Region`, resource.Region, ASFF_LIMITS.resourceRegion, false);
  });
}

function checkProductFields(problems: string[], value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.push("ProductFields must be an object of strings");
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > ASFF_LIMITS.productFields)
    problems.push(`ProductFields has more than ${ASFF_LIMITS.productFields} pairs`);
  for (const [key, field] of entries) {
    if (key.length === 0 || key.length > ASFF_LIMITS.productFieldKey) {
      problems.push(`ProductFields key "${fitText(key, 40)}" must have 1 to ${ASFF_LIMITS.productFieldKey} characters`);
    }
    checkString(problems, `ProductFields["${fitText(key, 40)}"]`, field, ASFF_LIMITS.productFieldValue);
  }
}

function checkFindingProviderFields(problems: string[], value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.push("FindingProviderFields must be an object");
    return;
  }
  const inner: string[] = [];
  if (value.Types !== undefined) checkTypes(inner, value.Types);
  if (value.Severity !== undefined) checkSeverity(inner, value.Severity);
  problems.push(...inner.map((problem) => `FindingProviderFields.${problem}`));
}

function checkRemediation(problems: string[], value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value) || !isObject(value.Recommendation)) {
    problems.push("Remediation must be { Recommendation: { Text?, Url? } }");
    return;
  }
  checkString(
    problems,
    "Remediation.Recommendation.Text",
    value.Recommendation.Text,
    ASFF_LIMITS.recommendationText,
    false,
  );
  checkString(problems, "Remediation.Recommendation.Url", value.Recommendation.Url, undefined, false);
}

/** Every problem that makes `value` an invalid ASFF finding for `BatchImportFindings`; empty when valid. */
export function validateAsff(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ["a finding must be a JSON object"];
  for (const key of Object.keys(value)) {
    if (!KNOWN_ATTRIBUTES.has(key))
      problems.push(`${fitText(key, 40)} is not an AwsSecurityFinding attribute this validator knows`);
  }
  if (value.SchemaVersion !== ASFF_SCHEMA_VERSION) problems.push(`SchemaVersion must be "${ASFF_SCHEMA_VERSION}"`);
  checkString(problems, "Id", value.Id, ASFF_LIMITS.id);
  checkString(problems, "ProductArn", value.ProductArn, ASFF_LIMITS.productArn);
  if (typeof value.ProductArn === "string" && !PRODUCT_ARN.test(value.ProductArn)) {
    problems.push("ProductArn must be arn:<partition>:securityhub:<region>:<account>:product/<…>");
  }
  checkString(problems, "GeneratorId", value.GeneratorId, ASFF_LIMITS.generatorId);
  if (typeof value.AwsAccountId !== "string" || !isAccountId(value.AwsAccountId)) {
    problems.push("AwsAccountId must be a 12-digit account id");
  }
  checkString(problems, "Region", value.Region, ASFF_LIMITS.resourceRegion, false);
  checkTypes(problems, value.Types);
  checkTimestamp(problems, "CreatedAt", value.CreatedAt, true);
  checkTimestamp(problems, "UpdatedAt", value.UpdatedAt, true);
  checkTimestamp(problems, "FirstObservedAt", value.FirstObservedAt, false);
  checkTimestamp(problems, "LastObservedAt", value.LastObservedAt, false);
  checkSeverity(problems, value.Severity);
  checkString(problems, "Title", value.Title, ASFF_LIMITS.title);
  checkString(problems, "Description", value.Description, ASFF_LIMITS.description);
  checkResources(problems, value.Resources);
  if (
    value.Workflow !== undefined &&
    !(isObject(value.Workflow) && WORKFLOW_STATUSES.includes(value.Workflow.Status as string))
  ) {
    problems.push(`Workflow.Status must be one of ${WORKFLOW_STATUSES.join(", ")}`);
  }
  if (value.RecordState !== undefined && !RECORD_STATES.includes(value.RecordState as string)) {
    problems.push(`RecordState must be one of ${RECORD_STATES.join(", ")}`);
  }
  checkProductFields(problems, value.ProductFields);
  checkFindingProviderFields(problems, value.FindingProviderFields);
  checkRemediation(problems, value.Remediation);
  if (new TextEncoder().encode(JSON.stringify(value)).length > ASFF_LIMITS.findingBytes) {
    problems.push(`the finding is larger than ${ASFF_LIMITS.findingBytes / 1024} KB`);
  }
  return problems;
}

/** The finding as ASFF, validated: throws `UnexportableFinding` naming every problem. */
export function toValidAsff(finding: Finding, config: RiposteConfig, place: ExportPlace = {}): AsffFinding {
  const asff = toAsff(finding, config, place);
  const problems = validateAsff(asff);
  if (problems.length > 0) throw new UnexportableFinding("asff", asff.Id, problems);
  return asff;
}
