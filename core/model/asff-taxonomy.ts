/**
 * AWS Security Hub's "Types taxonomy for ASFF": the namespaces and categories a finding type
 * (`namespace/category/classifier`) is made of. Detections, own rules and the ASFF export all
 * check their types against it.
 */
/** Classifiers are free text. */
export const ASFF_TYPE_TAXONOMY = {
  "Software and Configuration Checks": [
    "Vulnerabilities",
    "AWS Security Best Practices",
    "Industry and Regulatory Standards",
  ],
  TTPs: [
    "Initial Access",
    "Execution",
    "Persistence",
    "Privilege Escalation",
    "Defense Evasion",
    "Credential Access",
    "Discovery",
    "Lateral Movement",
    "Collection",
    "Command and Control",
  ],
  Effects: ["Data Exposure", "Data Exfiltration", "Data Destruction", "Denial of Service", "Resource Consumption"],
  "Unusual Behaviors": [
    "Application",
    "Network Flow",
    "IP address",
    "User",
    "VM",
    "Container",
    "Serverless",
    "Process",
    "Database",
    "Data",
  ],
  "Sensitive Data Identifications": ["PII", "Passwords", "Legal", "Financial", "Security", "Business"],
} as const;
