/**
 * The ports each of Security Hub's world-open security group controls is about (keyed by
 * `Compliance.SecurityControlId`, the same across standards; the Security Hub controls
 * reference); empty: every risky port Riposte knows. The securityhub-finding detection names
 * them as the ports at risk, and so they are what revoke-sg-rules revokes.
 */
export const CONTROL_PORTS: Readonly<Record<string, readonly number[]>> = {
  "EC2.13": [22],
  "EC2.14": [3389],
  "EC2.19": [],
  "EC2.53": [22, 3389],
  "EC2.54": [22, 3389],
};
