import { runtimeConfig } from "../infra/config";
import { config, version } from "./config";
import { noticesTopicArn } from "./notify";
import { dashboard } from "./web";

// The configuration every function runs with (`Resource.Settings`), validated at deploy time and
// completed with what only the deployment knows: the alerts topic and the dashboard's address.
export const settings = new sst.Linkable("Settings", {
  properties: {
    config: $util
      .all([noticesTopicArn, dashboard.url])
      .apply(([alertsTopicArn, dashboardUrl]) =>
        JSON.stringify(runtimeConfig(config, { alertsTopicArn, dashboardUrl: dashboardUrl ?? "" })),
      ),
    version,
    stage: $app.stage,
  },
});
