/// <reference path="./.sst/platform/config.d.ts" />

// The SST v4 app. No top-level imports (the CLI rejects them): run() imports the stacks, one file
// per concern, and returns the outputs. Production keeps its data and cannot be removed by accident.
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "riposte",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const { table } = await import("./stacks/storage");
    const { alerts } = await import("./stacks/notify");
    await import("./stacks/secrets");
    return {
      table: table.name,
      alertsTopic: alerts.arn,
    };
  },
});
