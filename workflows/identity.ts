import { incidentWorkflow } from "./skeleton.js";

/** Identity incidents: IAM changes (deny policies, revoked sessions, deactivated keys) take seconds to propagate. */
export const identityWorkflow = incidentWorkflow({
  category: "identity",
  summary: "root use, console logins, MFA and credential changes, access keys, impossible travel",
  remediateTimeoutSeconds: 120,
  verifyTimeoutSeconds: 60,
  propagationSeconds: 15,
});
