import { functionsDeployed } from "../infra/functions";
import { INCIDENT_STREAM_FILTER } from "../infra/table";
import { config } from "./config";
import { links, storeArns } from "./functions";
import { functionArgs } from "./lib/function";
import { schedule } from "./lib/schedule";
import { table } from "./storage";

// Scheduled housekeeping: approvals nobody answered are closed and failed notices redelivered;
// in live mode, temporary deny policies are removed once expired (they stop applying on their own).
export const noticesFunction = new sst.aws.Function("Notices", functionArgs("notices", { links, arns: storeArns }));
schedule("NoticesSchedule", noticesFunction, "rate(5 minutes)");

export const sweepFunction = functionsDeployed(config.remediation.mode).includes("sweep")
  ? new sst.aws.Function("SweepExpiredChanges", functionArgs("sweep", { links, arns: storeArns }))
  : undefined;
if (sweepFunction) {
  schedule("SweepExpiredChangesSchedule", sweepFunction, "rate(5 minutes)");
}

// Security Hub export (`securityHub.export` only): every incident write on the table's stream is
// imported or moves its finding's workflow status (functions/securityhub.ts).
const securityHubDeployed = functionsDeployed(config.remediation.mode, {
  securityHubExport: config.securityHub.export,
}).includes("securityHub");
const partition = aws.getPartitionOutput().partition;
const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;
export const securityHubFunction = securityHubDeployed
  ? new sst.aws.Function(
      "SecurityHubSync",
      functionArgs("securityHub", {
        links,
        arns: {
          ...storeArns,
          securityHubProduct: [
            $interpolate`arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
          ],
          securityHubHub: [$interpolate`arn:${partition}:securityhub:${region}:${account}:hub/default`],
        },
      }),
    )
  : undefined;
if (securityHubFunction) {
  new aws.lambda.EventSourceMapping("SecurityHubSyncStream", {
    eventSourceArn: table.nodes.table.streamArn,
    functionName: securityHubFunction.arn,
    startingPosition: "LATEST",
    batchSize: 100,
    maximumBatchingWindowInSeconds: 5,
    // A failed call (throttling) is retried; findings Security Hub refuses are logged, not retried.
    maximumRetryAttempts: 5,
    bisectBatchOnFunctionError: true,
    filterCriteria: { filters: [{ pattern: JSON.stringify(INCIDENT_STREAM_FILTER) }] },
  });
}
