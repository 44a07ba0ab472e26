import { incidentWorkflow } from "./skeleton.js";

/** Threat incidents: GuardDuty findings, answered with an IAM, S3 or EC2 action, so the slowest propagation wins. */
export const threatWorkflow = incidentWorkflow({
  category: "threat",
  summary: "GuardDuty findings",
  remediateTimeoutSeconds: 120,
  verifyTimeoutSeconds: 60,
  propagationSeconds: 15,
});
