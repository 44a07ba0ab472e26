import { runtimeConfig } from "../infra/config";
import { config, deployment, version } from "./config";
import { noticesTopicArn } from "./notify";
import { dashboard } from "./web";

// The configuration every function runs with (`Resource.Settings`), validated at deploy time and
// completed with what only the deployment knows: the alerts topic and the dashboard's address.
// The users' rules (rules.dir, validated at deploy time) ride along as JSON: links travel in the
// function package's encrypted resource file, not in environment variables (4 KB in all), so
// hundreds of rules fit, and the functions run exactly the rules whose EventBridge rules exist.
export const settings = new sst.Linkable("Settings", {
  properties: {
    config: $util
      .all([noticesTopicArn, dashboard.url])
      .apply(([alertsTopicArn, dashboardUrl]) =>
        JSON.stringify(runtimeConfig(config, { alertsTopicArn, dashboardUrl: dashboardUrl ?? "" })),
      ),
    rules: JSON.stringify(deployment.rules ?? []),
    version,
    stage: $app.stage,
  },
});
