import { roleName } from "../../infra/names";
import { config } from "../config";

const homeRegion = aws.getRegionOutput().region;

/**
 * A function run on a rate: `sst.aws.CronV2` (EventBridge Scheduler; SST 4 deprecates
 * `sst.aws.Cron`). The scheduler's role, which only invokes the function, is named with the tool's
 * role prefix like every other Riposte role.
 */
export function schedule(name: string, fn: sst.aws.Function, rate: `rate(${string})`): sst.aws.CronV2 {
  return new sst.aws.CronV2(name, {
    function: fn.arn,
    schedule: rate,
    transform: {
      role: (args) => {
        args.name = homeRegion.apply((region) => roleName(config.protection.toolRolePrefix, $app.stage, region, name));
      },
    },
  });
}
