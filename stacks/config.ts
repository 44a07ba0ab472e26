import { accessContextOf, loadDeployConfig, packageVersion } from "../infra/config";

// The stage's configuration (riposte.config.<stage>.json, riposte.config.json or RIPOSTE_CONFIG),
// validated before anything is created: rules, policies and functions all derive from it.
export const deployment = loadDeployConfig($app.stage);
export const config = deployment.config;
export const version = packageVersion();

// What the generated policies depend on; `riposte deploy plan` derives the same from the same file.
export const accessContext = accessContextOf(config);
