import type { AccessStatement, ResourceRef } from "../../infra/access";
import {
  accessFor,
  type DeployedFunction,
  FUNCTION_SPECS,
  GEO_FILES,
  type LinkName,
  retentionName,
} from "../../infra/functions";
import { roleName } from "../../infra/names";
import { accessContext, config } from "../config";

const homeRegion = aws.getRegionOutput().region;

/**
 * `sst.aws.Function` arguments for a deployed function, from its declaration (`infra/functions`:
 * spec and grants, `accessFor`): Node 22 on ARM, bundled, JSON logs, linked only to the resources
 * it reads, and an IAM role named with the tool's role prefix (loop prevention) holding exactly
 * the statements its code needs.
 */

export type ResourceArns = Partial<Record<Exclude<ResourceRef, "*">, $util.Input<$util.Input<string>[]>>>;
export type Links = Partial<Record<LinkName, unknown>>;

/** SST permissions from access statements, each reference resolved; throws naming a missing one. */
export function permissionsOf(
  statements: readonly AccessStatement[],
  arns: ResourceArns,
  owner: string,
): sst.aws.FunctionPermissionArgs[] {
  return statements.map((statement) => ({
    ...(statement.effect === "Deny" ? { effect: "deny" as const } : {}),
    actions: [...statement.actions],
    resources: $util
      .all(
        statement.resources.map((ref) => {
          if (ref === "*") return ["*"];
          const resolved = arns[ref];
          if (resolved === undefined) throw new Error(`${owner}: no ARN given for ${ref} (${statement.sid})`);
          return resolved;
        }),
      )
      .apply((lists) => lists.flat()),
    ...(statement.condition
      ? {
          conditions: Object.entries(statement.condition).flatMap(([test, keys]) =>
            Object.entries(keys).map(([variable, values]) => ({ test, variable, values })),
          ),
        }
      : {}),
  }));
}

function linksOf(fn: DeployedFunction, links: Links): unknown[] {
  return FUNCTION_SPECS[fn].links.flatMap((name) => {
    const link = links[name];
    if (link === undefined) throw new Error(`${FUNCTION_SPECS[fn].logicalName}: the ${name} link is not available`);
    return Array.isArray(link) ? link : [link];
  });
}

/** The arguments of `new sst.aws.Function(FUNCTION_SPECS[fn].logicalName, …)`. */
export function functionArgs(
  fn: DeployedFunction,
  options: { links: Links; arns: ResourceArns; environment?: Record<string, $util.Input<string>> },
): sst.aws.FunctionArgs {
  const spec = FUNCTION_SPECS[fn];
  return {
    handler: spec.handler,
    description: `Riposte: ${spec.description}`,
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: `${spec.memoryMb} MB`,
    timeout: `${spec.timeoutSeconds} seconds`,
    link: linksOf(fn, options.links),
    permissions: permissionsOf(accessFor(fn, accessContext), options.arns, spec.logicalName),
    environment: { NODE_OPTIONS: "--enable-source-maps", ...options.environment },
    logging: { format: "json", retention: retentionName(config.aws.logRetentionDays) },
    // Only the geolocation files the code reads, from the tested node_modules (infra/functions.ts).
    ...(spec.geo ? { copyFiles: GEO_FILES.map((from) => ({ from })) } : {}),
    // A storm of workflow tasks cannot take these instances (infra/functions.ts).
    ...(spec.reservedConcurrency ? { concurrency: { reserved: spec.reservedConcurrency } } : {}),
    transform: {
      role: (args) => {
        args.name = homeRegion.apply((region) =>
          roleName(config.protection.toolRolePrefix, $app.stage, region, spec.logicalName),
        );
      },
    },
  };
}
