/** Options every AWS SDK client is built with (`endpoint` points at moto or LocalStack). */
export interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  /** S3 needs path-style addressing behind a custom endpoint. */
  forcePathStyle?: boolean;
  /**
   * Remediation in other accounts (org-wide mode): clients for a target account other than the
   * credentials' own assume this role there (sts:AssumeRole with the external id).
   */
  assumeRole?: { roleName: string; externalId?: string; sessionName?: string };
}
