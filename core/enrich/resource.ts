import type { RiposteConfig } from "../config/schema.js";
import type { Enrichment } from "../model/incident.js";
import type { WorkingIncident } from "../model/tasks.js";
import { isProductionTagged, isProtectedTagged, normalizeTags, type Tags } from "./tags.js";

export type ResourceContext = NonNullable<Enrichment["resource"]>;

/** The resource an incident is about, as far as the finding's facts say (no AWS calls). */
export interface ResourceRef {
  type: string;
  id: string;
  tags: Tags;
  related: Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function pick(facts: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (facts[key] !== undefined) out[key] = facts[key];
  return out;
}

/** GuardDuty `resourceType` → our resource type. */
const THREAT_TYPES: Record<string, string> = {
  Instance: "ec2-instance",
  AccessKey: "iam-access-key",
  S3Bucket: "s3-bucket",
  EKSCluster: "eks-cluster",
  RDSDBInstance: "rds-instance",
  Lambda: "lambda-function",
};

/** Identify the resource from the finding's facts (shapes in `core/model/facts.ts`). */
export function resourceFromFacts(incident: WorkingIncident): ResourceRef | undefined {
  const facts = incident.facts;
  const tags = normalizeTags(facts.tags ?? facts.resourceTags);
  const ref = (type: string, id: string, related: Record<string, unknown>): ResourceRef => ({
    type,
    id,
    tags,
    related,
  });

  const groupId = str(facts.groupId);
  if (groupId) {
    return ref("security-group", groupId, pick(facts, ["groupName", "vpcId", "instanceIds", "networkInterfaceIds"]));
  }
  const bucket = str(facts.bucket);
  if (bucket && incident.category !== "threat") {
    return ref(str(facts.key) ? "s3-object" : "s3-bucket", bucket, pick(facts, ["key", "accountLevel"]));
  }
  const trail = str(facts.trailName) ?? str(facts.trailArn);
  if (trail) return ref("cloudtrail-trail", trail, pick(facts, ["trailArn", "eventName"]));
  const clientIp = str(facts.clientIp);
  if (clientIp) return ref("ip-address", clientIp, pick(facts, ["requests", "errorRatio"]));

  if (incident.category === "threat") {
    const type = THREAT_TYPES[str(facts.resourceType) ?? ""] ?? "unknown";
    const id = str(facts.instanceId) ?? str(facts.accessKeyId) ?? str(facts.bucket) ?? incident.resource;
    return id ? ref(type, id, pick(facts, ["findingType", "userName", "remoteIp"])) : undefined;
  }
  if (incident.category === "identity") {
    const user = str(facts.targetUserName) ?? str(facts.userName);
    if (str(facts.roleName) && !str(facts.targetUserName)) {
      return ref("iam-role", str(facts.roleName) as string, pick(facts, ["accessKeyId"]));
    }
    if (user) return ref("iam-user", user, pick(facts, ["accessKeyId"]));
  }
  return incident.resource ? ref("unknown", incident.resource, {}) : undefined;
}

/** The enrichment's resource block: tags, and what they mean under the configuration. */
export function resourceContext(ref: ResourceRef, config: RiposteConfig): ResourceContext {
  return {
    type: ref.type,
    id: ref.id,
    tags: ref.tags,
    production: isProductionTagged(ref.tags, config),
    protected: isProtectedTagged(ref.tags, config),
    ...(Object.keys(ref.related).length > 0 ? { related: ref.related } : {}),
  };
}
