import { incidentWorkflow } from "./skeleton.js";

/** Storage incidents: S3 policy, ACL and public access block changes are eventually consistent. */
export const storageWorkflow = incidentWorkflow({
  category: "storage",
  summary: "S3 buckets and objects made public",
  remediateTimeoutSeconds: 120,
  verifyTimeoutSeconds: 60,
  propagationSeconds: 10,
});
