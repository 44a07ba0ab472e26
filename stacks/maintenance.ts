import { functionsDeployed } from "../infra/functions";
import { config } from "./config";
import { links, storeArns } from "./functions";
import { functionArgs } from "./lib/function";
import { schedule } from "./lib/schedule";

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
