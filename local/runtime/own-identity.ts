import type { RiposteConfig } from "../../core/config/schema.js";
import type { Logger } from "../../core/log.js";
import { ownRole, toolPrincipal } from "../../core/remediation/guardrails.js";

/**
 * Loop prevention for `riposte serve --remediate live`. On AWS, Riposte remediates through roles
 * named with `protection.toolRolePrefix`, and events those roles cause are never acted on. On one
 * machine it uses whatever credentials the standard chain gives, often a person's: the identity
 * they act as is learnt once at start (STS GetCallerIdentity) and added to
 * `protection.toolPrincipals`, so the changes Riposte makes are detected and notified but never
 * remediated again. The price, said in the log: changes made by hand with the same credentials
 * are not remediated either.
 */

/** Answers STS GetCallerIdentity (the SDK through the AWS gateway; a fake in tests). */
export type CallerIdentity = () => Promise<{ Arn?: string }>;

const TIMEOUT_MS = 10_000;

/** The IAM ARN to recognise for a caller ARN: an assumed-role session as its role. */
export function identityPattern(callerArn: string): string {
  const assumed = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : callerArn;
}

export async function withOwnIdentity(
  config: RiposteConfig,
  callerIdentity: CallerIdentity,
  logger: Logger,
  timeoutMs = TIMEOUT_MS,
): Promise<RiposteConfig> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let arn: string | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    arn = (await Promise.race([callerIdentity(), timeout])).Arn;
  } catch (error) {
    logger.warn("could not learn which identity live remediation acts as", {
      error: error instanceof Error ? error.message : String(error),
      loopPrevention: `only roles named ${config.protection.toolRolePrefix}… and protection.toolPrincipals`,
    });
    return config;
  } finally {
    clearTimeout(timer);
  }
  if (!arn) return config;
  const pattern = identityPattern(arn);
  const known = ownRole([arn], config) ?? toolPrincipal([arn, pattern], config);
  if (known) {
    logger.info("live remediation acts as Riposte's own identity", { identity: arn });
    return config;
  }
  logger.warn("live remediation acts as these credentials; their own changes are detected but never remediated", {
    identity: arn,
    loopPrevention: pattern,
    advice: `remediate through a role named ${config.protection.toolRolePrefix}… so changes made by hand stay remediable`,
  });
  return {
    ...config,
    protection: { ...config.protection, toolPrincipals: [...config.protection.toolPrincipals, pattern] },
  };
}
