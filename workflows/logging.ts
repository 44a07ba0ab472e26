import { incidentWorkflow } from "./skeleton.js";

/** Logging incidents: CloudTrail restarts are immediate; a WAF IP set update reaches its edges within seconds. */
export const loggingWorkflow = incidentWorkflow({
  category: "logging",
  summary: "CloudTrail tampering and web scanning",
  remediateTimeoutSeconds: 90,
  verifyTimeoutSeconds: 60,
  propagationSeconds: 5,
});
