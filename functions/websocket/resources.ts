import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Resource } from "sst/resource";
import { z } from "zod";
import { createTokenChecker } from "../../core/api/auth.js";
import { normalizeOrigin } from "../../core/api/cors.js";
import { createLogger } from "../../core/log.js";
import { DynamoConnections } from "../../core/store/dynamodb/connections.js";
import { linkedDashboardTokens } from "../lib/resources.js";

/**
 * What the WebSocket functions need on AWS, read once per container from the linked resources:
 * `Incidents` (the table: `name`) and `Realtime` (the WebSocket API: `managementEndpoint`);
 * `RIPOSTE_ALLOWED_ORIGINS` (comma-separated origins, e.g. the dashboard's site URL) optionally
 * restricts browser origins. The dashboard tokens (`DashboardToken`, `DashboardUsers`) are linked
 * to `$connect` only, the one function that checks tokens, and read when it first checks one.
 */
const LinkedSchema = z.object({
  Incidents: z.object({ name: z.string().min(1) }),
  Realtime: z.object({ managementEndpoint: z.string().url() }),
});

function readLinked() {
  const linked = Resource as unknown as Record<string, unknown>;
  const parsed = LinkedSchema.safeParse({
    Incidents: linked.Incidents,
    Realtime: linked.Realtime,
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`WebSocket function resources are missing or invalid: ${issues.join("; ")}`);
  }
  return parsed.data;
}

function allowedOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const entry of (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const origin = normalizeOrigin(entry);
    if (!origin)
      throw new Error(`RIPOSTE_ALLOWED_ORIGINS: "${entry}" is not an origin such as https://dash.example.com`);
    origins.add(origin);
  }
  return origins;
}

let deps: ReturnType<typeof build> | undefined;

function build() {
  const linked = readLinked();
  const client = new DynamoDBClient({});
  let checker: ((presented: string | undefined) => string | undefined) | undefined;
  return {
    checkToken: (presented: string | undefined) => {
      checker ??= createTokenChecker(linkedDashboardTokens());
      return checker(presented);
    },
    connections: new DynamoConnections({ client, tableName: linked.Incidents.name }),
    management: new ApiGatewayManagementApiClient({ endpoint: linked.Realtime.managementEndpoint }),
    allowedOrigins: allowedOrigins(process.env.RIPOSTE_ALLOWED_ORIGINS),
    logger: createLogger({ fields: { service: "riposte-live" } }),
    now: () => new Date(),
  };
}

/** The AWS-backed deps, created on first use and kept for the container's life. */
export function awsLiveDeps() {
  deps ??= build();
  return deps;
}
