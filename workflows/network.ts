import { incidentWorkflow } from "./skeleton.js";

/** Network incidents: a revoked security group rule is visible to DescribeSecurityGroupRules almost at once. */
export const networkWorkflow = incidentWorkflow({
  category: "network",
  summary: "security groups and network ACLs opened to the world",
  remediateTimeoutSeconds: 90,
  verifyTimeoutSeconds: 60,
  propagationSeconds: 5,
});
