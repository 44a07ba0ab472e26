/**
 * Regions of AWS APIs served from one region only, whatever region the incident names: the
 * planners put them on their calls and the client factory builds those clients there.
 */

/** Route 53 Domains (domain registration) is served from us-east-1 only. */
export const ROUTE53_DOMAINS_REGION = "us-east-1";
