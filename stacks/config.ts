import type { AccessContext } from "../core/deploy/access";
import { loadDeployConfig, packageVersion } from "../core/deploy/config";
import { actionsInUse } from "../core/remediation/responses";

// The stage's configuration (riposte.config.<stage>.json, riposte.config.json or RIPOSTE_CONFIG),
// validated before anything is created: rules, policies and functions all derive from it.
export const deployment = loadDeployConfig($app.stage);
export const config = deployment.config;
export const version = packageVersion();

export const accessContext: AccessContext = {
  mode: config.remediation.mode,
  encryptAlerts: config.aws.encryptAlerts,
  crossAccount: config.aws.organization?.memberRole !== undefined,
  organizationId: config.aws.organization?.id,
  actions: actionsInUse(config),
};
