import type { RiposteConfig } from "../config/schema.js";
import { DETECTION_IDS, type DetectionId } from "../model/catalog.js";
import type { RuleId } from "../model/rule-id.js";
import { DECLARED_DETECTIONS } from "./declared.js";
import { createAccessKeyAnomalousUse } from "./identity/access-key-anomalous-use.js";
import { consoleLoginBruteForce } from "./identity/console-login-brute-force.js";
import { consoleLoginNewDevice } from "./identity/console-login-new-device.js";
import { consoleLoginNewIp } from "./identity/console-login-new-ip.js";
import { createImpossibleTravel } from "./identity/impossible-travel.js";
import { IDENTITY_STATELESS } from "./identity/stateless.js";
import { createUnusualRegion } from "./identity/unusual-region.js";
import { cloudtrailTampering } from "./logging/tampering.js";
import { webScanning } from "./logging/web-scanning.js";
import { ec2LaunchedWithOpenSg } from "./network/ec2-launched-with-open-sg.js";
import { sgCreatedOpen } from "./network/sg-created-open.js";
import { sgOpenThenConnection } from "./network/sg-open-then-connection.js";
import { sgProdTagViolation } from "./network/sg-prod-tag-violation.js";
import { sgRepeatedOpen } from "./network/sg-repeated-open.js";
import { sgRiskResolved } from "./network/sg-risk-resolved.js";
import { sgZombieRule } from "./network/sg-zombie-rule.js";
import { NETWORK_STATELESS } from "./network/stateless.js";
import { guardDutyLoopPrevention, loopPrevention, mergePatterns } from "./pattern-helpers.js";
import { STORAGE_STATELESS } from "./storage/stateless.js";
import { guardDutyFinding } from "./threat/guardduty.js";
import { securityHubFinding } from "./threat/securityhub.js";
import type { EventPattern, StatefulDetection, StatelessDetection } from "./types.js";

/**
 * The detections: data (title, category, severity, ATT&CK technique, response, texts) plus the
 * smallest code each needs (declared ones: `declare.ts`). Ids and order follow `core/model/catalog.ts`.
 */

export type DetectionSpec = StatelessDetection | StatefulDetection;

/** What the engine runs: the catalog's detections and users' rules (stateless, identified by a `RuleId`). */
export type EngineSpec = DetectionSpec | StatelessDetection<RuleId> | StatefulDetection<RuleId>;

/**
 * Fresh detection specs. Stateful ones may keep small in-process caches (which never change
 * results), so every engine gets its own set.
 */
export function createDetectionSpecs(): DetectionSpec[] {
  const byId = new Map<DetectionId, DetectionSpec>();
  for (const spec of [
    ...IDENTITY_STATELESS,
    consoleLoginBruteForce,
    consoleLoginNewIp,
    consoleLoginNewDevice,
    createAccessKeyAnomalousUse(),
    createImpossibleTravel(),
    createUnusualRegion(),
    cloudtrailTampering,
    webScanning,
    ...NETWORK_STATELESS,
    sgCreatedOpen,
    sgProdTagViolation,
    sgZombieRule,
    sgOpenThenConnection,
    ec2LaunchedWithOpenSg,
    sgRepeatedOpen,
    sgRiskResolved,
    ...STORAGE_STATELESS,
    guardDutyFinding,
    securityHubFinding,
    ...DECLARED_DETECTIONS,
  ]) {
    if (byId.has(spec.id)) throw new Error(`detection ${spec.id} is defined twice`);
    byId.set(spec.id, spec);
  }
  return DETECTION_IDS.map((id) => {
    const spec = byId.get(id);
    if (!spec) throw new Error(`detection ${id} has no definition`);
    return spec;
  });
}

/** The pattern that selects a detection's candidate events, loop prevention included. */
export function detectionPattern(
  spec: Pick<DetectionSpec, "buildPattern" | "loopPrevention">,
  config: RiposteConfig,
): EventPattern {
  const pattern = spec.buildPattern(config);
  switch (spec.loopPrevention ?? "cloudtrail") {
    case "cloudtrail":
      return mergePatterns(pattern, loopPrevention(config));
    case "guardduty":
      return mergePatterns(pattern, guardDutyLoopPrevention(config));
    default:
      return pattern;
  }
}

/** The events a stateful detection only learns from (no loop prevention: they never fire). */
export function statePattern(spec: EngineSpec, config: RiposteConfig): EventPattern | undefined {
  return spec.stateful && spec.buildStatePattern ? spec.buildStatePattern(config) : undefined;
}
