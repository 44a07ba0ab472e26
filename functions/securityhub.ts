import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { RiposteConfig } from "../core/config/schema.js";
import type { AsffFinding } from "../core/export/asff.js";
import { type SecurityHubPort, type SyncResult, syncToSecurityHub } from "../core/export/securityhub.js";
import type { Logger } from "../core/log.js";
import { incidentChangesFromStream, type StreamRecord } from "../core/store/dynamodb/stream.js";
import { awsRuntime } from "./lib/aws-deps.js";

/**
 * The table's stream → AWS Security Hub (`securityHub.export`): new incidents imported as ASFF
 * findings, workflow status kept in step (core/export/securityhub.ts). Findings Security Hub
 * refuses are logged one by one as errors; a failed call (throttling, an outage) fails the batch,
 * which the event source mapping retries.
 */

/** The SDK calls behind the port, with Security Hub's refusals as plain records. */
export function securityHubPort(client: SecurityHubClient): SecurityHubPort {
  return {
    async batchImportFindings(findings: AsffFinding[]) {
      const output = await client.send(
        new BatchImportFindingsCommand({
          // The SDK types Partition as an enum; toAsff writes only aws, aws-cn or aws-us-gov.
          Findings: findings as AwsSecurityFinding[],
        }),
      );
      return {
        failed: (output.FailedFindings ?? []).map((failure) => ({
          id: failure.Id ?? "",
          code: failure.ErrorCode ?? "",
          message: failure.ErrorMessage ?? "",
        })),
      };
    },
    async batchUpdateFindings(request) {
      const output = await client.send(new BatchUpdateFindingsCommand(request));
      return {
        unprocessed: (output.UnprocessedFindings ?? []).map((failure) => ({
          id: failure.FindingIdentifier?.Id ?? "",
          code: failure.ErrorCode ?? "",
          message: failure.ErrorMessage ?? "",
        })),
      };
    },
  };
}

export interface SecurityHubDeps {
  config: RiposteConfig;
  port: SecurityHubPort;
  region: string;
  logger: Logger;
}

/** The account of the running function, from its ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
export function accountOfFunction(invokedFunctionArn: string | undefined): string {
  return invokedFunctionArn?.split(":")[4] ?? "";
}

export function createSecurityHubHandler(resolveDeps: () => SecurityHubDeps | Promise<SecurityHubDeps>) {
  return async (
    event: { Records?: StreamRecord[] },
    context?: { invokedFunctionArn?: string },
  ): Promise<SyncResult> => {
    const deps = await resolveDeps();
    const changes = incidentChangesFromStream(event.Records ?? []);
    const place = { account: accountOfFunction(context?.invokedFunctionArn), region: deps.region };
    const result = await syncToSecurityHub(changes, deps.config, place, deps.port);
    for (const refusal of result.refused) deps.logger.error("Security Hub refused a finding", { ...refusal });
    for (const skipped of result.skipped) deps.logger.warn("incident not sent to Security Hub", { ...skipped });
    deps.logger.info("Security Hub in step", {
      changes: changes.length,
      imported: result.imported,
      updated: result.updated,
      skipped: result.skipped.length,
      refused: result.refused.length,
    });
    return result;
  };
}

export const handler = createSecurityHubHandler(async () => {
  const runtime = await awsRuntime();
  return {
    config: runtime.config,
    port: securityHubPort(new SecurityHubClient({})),
    region: process.env.AWS_REGION ?? "",
    logger: runtime.logger,
  };
});
