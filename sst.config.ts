/// <reference path="./.sst/platform/config.d.ts" />

// The SST v4 app. No top-level imports (the CLI rejects them): run() imports the stacks, one file
// per concern, and returns the outputs. Protected stages (infra/stages.ts: prod, production)
// keep their data and cannot be removed by accident.
export default $config({
  async app(input) {
    const { isProtectedStage } = await import("./infra/stages");
    const protect = isProtectedStage(input?.stage ?? "");
    return {
      name: "riposte",
      home: "aws",
      removal: protect ? "retain" : "remove",
      protect,
    };
  },
  async run() {
    const { deployment } = await import("./stacks/config");
    const { table } = await import("./stacks/storage");
    await import("./stacks/secrets");
    const { alerts } = await import("./stacks/notify");
    const { httpApi, realtimeApi } = await import("./stacks/gateways");
    const { dashboard } = await import("./stacks/web");
    const { stateMachines } = await import("./stacks/workflows");
    await import("./stacks/realtime");
    const { rules, intakeOnly } = await import("./stacks/detection");
    await import("./stacks/maintenance");
    const { organizationOutputs } = await import("./stacks/organization");
    const { forwardedRegions } = await import("./stacks/regions");
    return {
      configuration: deployment.source,
      dashboard: dashboard.url,
      api: httpApi.url,
      realtime: realtimeApi.url,
      slackInteractionsUrl: $interpolate`${httpApi.url}/slack/interactions`,
      table: table.name,
      alertsTopic: alerts.arn,
      rules: String(rules.length),
      intakeOnlyDetections: intakeOnly.join(","),
      watchedRegions: forwardedRegions.apply((forwardings) => forwardings.map((f) => f.region).join(",")),
      ...Object.fromEntries(
        Object.entries(stateMachines).map(([category, machine]) => [`${category}Workflow`, machine.arn]),
      ),
      ...organizationOutputs,
    };
  },
});
