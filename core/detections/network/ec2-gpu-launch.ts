import type { RiposteConfig } from "../../config/schema.js";
import { declareDetection, request, response } from "../declare.js";
import { at, identityFacts, int, isObject, items, type Json, principalOf, quote, str } from "../record.js";
import type { EventPattern } from "../types.js";

/**
 * RunInstances, one of the busiest EC2 calls. CloudTrail logs the requested type as
 * `requestParameters.instanceType` (a string; `{"value": ...}` in some re-exports) — absent when
 * a launch template supplies it — the counts as `requestParameters.instancesSet.items[].maxCount`,
 * and what was launched as `responseElements.instancesSet.items[]` (`instanceId`, `instanceType`).
 */

/** An instance type's family: the letters before its generation (`g4dn.xlarge` → g, `c6g.large` → c, `p6-b200.48xlarge` → p). */
export function instanceFamily(type: string): string {
  return /^[a-z]+/.exec(type.toLowerCase())?.[0] ?? "";
}

function typeOf(value: unknown): string {
  return isObject(value) ? str(value.value) : str(value);
}

/** The instance types of a launch: the request's, and those the response reports. */
function launchedTypes(record: Json): string[] {
  const types = new Set<string>();
  const requested = typeOf(request(record, "instanceType"));
  if (requested) types.add(requested);
  for (const item of items(response(record, "instancesSet"))) {
    const type = typeOf(at(item, "instanceType"));
    if (type) types.add(type);
  }
  return [...types];
}

/** The largest `maxCount` of the request (CloudTrail writes one item; numbers or numeric strings). */
function requestedMaxCount(record: Json): number | undefined {
  let largest: number | undefined;
  for (const item of items(request(record, "instancesSet"))) {
    const count = int(at(item, "maxCount"));
    if (count !== undefined && (largest === undefined || count > largest)) largest = count;
  }
  return largest;
}

/**
 * What EventBridge (and the local matcher) lets through before `match` runs: a type starting with
 * a watched family, in any of its places, or a large (or string-typed) `maxCount`. A superset of
 * what `match` accepts, so most launches never reach code.
 */
function candidates(config: RiposteConfig): EventPattern {
  const { families, maxCount } = config.thresholds.ec2GpuLaunch;
  const branches: EventPattern[] = [
    {
      requestParameters: { instancesSet: { items: { maxCount: [{ numeric: [">=", maxCount] }, { wildcard: "*" }] } } },
    },
  ];
  // A family another one starts (`gr` after `g`) adds nothing to a prefix test.
  const starts = families.filter((family) => !families.some((other) => other !== family && family.startsWith(other)));
  if (starts.length > 0) {
    const typeStarts = [...new Set(starts)].map((family) => ({ prefix: { "equals-ignore-case": family } }));
    branches.push(
      { requestParameters: { instanceType: typeStarts } },
      { requestParameters: { instanceType: { value: typeStarts } } },
      { responseElements: { instancesSet: { items: { instanceType: typeStarts } } } },
    );
  }
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

export const ec2GpuLaunch = declareDetection({
  id: "ec2-gpu-launch",
  title: "GPU instances or many instances launched",
  category: "network",
  severity: "high",
  attack: { id: "T1496.001", name: "Resource Hijacking: Compute Hijacking" },
  asff: ["Effects/Resource Consumption", "Unusual Behaviors/VM"],
  description:
    "ec2:RunInstances succeeded with an accelerated instance type — a family in `thresholds.ec2GpuLaunch.families` (p, g, gr, inf, trn, dl: p4d.24xlarge, g5.xlarge, inf2.xlarge; not m5 or c6g) in the request or, for launch templates, in the launched instances — or asked for at least `thresholds.ec2GpuLaunch.maxCount` (10) instances at once.",
  why: "Stolen credentials are turned into money by launching GPU instances or fleets of instances for crypto mining: each GPU instance can cost tens of dollars an hour, and quotas are often raised first.",
  tuning:
    "Teams that train models or run large batches fire this on every launch: narrow `thresholds.ec2GpuLaunch.families` (an empty list leaves only the count), raise `thresholds.ec2GpuLaunch.maxCount`, or switch the detection off in accounts where such launches are normal. Auto Scaling launches count too (they run as the service-linked role).",
  response: { mode: "approval", action: "ec2-stop-instances" },
  calls: [{ source: "aws.ec2", names: ["RunInstances"] }],
  where: candidates,
  match: (record, { config }) => {
    const { families, maxCount: threshold } = config.thresholds.ec2GpuLaunch;
    const types = launchedTypes(record);
    const accelerated = types.filter((type) => families.includes(instanceFamily(type)));
    const maxCount = requestedMaxCount(record);
    const many = maxCount !== undefined && maxCount >= threshold;
    if (accelerated.length === 0 && !many) return undefined;
    const instanceIds = items(response(record, "instancesSet"))
      .map((item) => str(at(item, "instanceId")))
      .filter(Boolean);
    const what = accelerated.length > 0 ? `accelerated type ${quote(accelerated.join(", "), 80)}` : "";
    const count = many ? `up to ${maxCount} instances` : "";
    const launched = instanceIds.length === 1 ? quote(instanceIds[0]!, 32) : `${instanceIds.length} instances`;
    return {
      resource:
        (instanceIds.length === 1 ? instanceIds[0] : str(response(record, "reservationId")) || instanceIds[0]) ??
        "instances",
      summary: `${quote(principalOf(record))} launched ${launched} (${[count, what].filter(Boolean).join(", ")})`,
      facts: {
        ...identityFacts(record),
        eventName: str(record.eventName),
        instanceIds,
        instanceTypes: types,
        acceleratedTypes: accelerated,
        ...(maxCount === undefined ? {} : { maxCount }),
      },
    };
  },
});
