import { createHash } from "node:crypto";

/**
 * Physical names of what the stacks create. Names are stable per stage (so a redeploy updates in
 * place) and stay within AWS's length limits: a name that would be too long keeps its readable
 * start and ends with a short hash of the whole. IAM role names start with the tool's role
 * prefix, because that prefix is how every detection pattern recognises Riposte's own changes.
 */

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** `name` cut to `max` characters, ending with a hash of the full name when it had to be cut. */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9)}-${shortHash(name)}`;
}

/** A kebab-case id as a PascalCase logical name: `sg-ssh-open-world` → `SgSshOpenWorld`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/** IAM role names: at most 64 characters of [A-Za-z0-9+=,.@_-]. */
const ROLE_NAME_MAX = 64;

/**
 * The IAM role of a deployed function or service role: `<toolRolePrefix><stage>-<region>-<purpose>`,
 * so that events it causes carry a session issuer the loop prevention clause ignores. IAM is
 * global: the region keeps a stage deployed in two regions from claiming the same role.
 */
export function roleName(toolRolePrefix: string, stage: string, region: string, purpose: string): string {
  const name = `${toolRolePrefix}${stage}-${region}-${purpose}`.replace(/[^\w+=,.@-]/g, "-");
  const fitted = fitName(name, ROLE_NAME_MAX);
  if (!fitted.startsWith(toolRolePrefix)) {
    throw new Error(`protection.toolRolePrefix "${toolRolePrefix}" leaves no room for a role name`);
  }
  return fitted;
}

/** A stage-scoped name for a state machine (80 characters), rule (64) or bus (256). */
export function stageName(stage: string, name: string, max: number): string {
  return fitName(`${stage}-${name}`.replace(/[^\w.-]/g, "-"), max);
}

/** The logical name (and link name) of a category's state machine: `network` → `NetworkWorkflow`. */
export function workflowLogicalName(category: string): string {
  return `${pascalCase(category)}Workflow`;
}
