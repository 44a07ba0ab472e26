import type { WorkingIncident } from "../model/tasks.js";

/**
 * Links in notifications. Only URLs we build ourselves, from validated parts, ever become links:
 * the dashboard's configured base and AWS console paths for ids whose shape we checked.
 */

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Characters that would end a Slack link (`<url|text>`) percent-encoded. */
function slackSafe(url: string): string {
  return url.replace(/\|/g, "%7C").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/\s/g, "%20");
}

/** The incident's page on the dashboard, when a dashboard URL is configured. */
export function dashboardLink(dashboardUrl: string | undefined, incidentId: string): string | undefined {
  if (!dashboardUrl) return undefined;
  return slackSafe(`${dashboardUrl.replace(/\/+$/, "")}/incidents/${encodeURIComponent(incidentId)}`);
}

/** The AWS console page for the incident's resource (group or bucket) or first CloudTrail event. */
export function consoleLink(incident: WorkingIncident): { label: string; url: string } | undefined {
  const region = incident.region;
  if (!REGION.test(region)) return undefined;
  const host = `https://${region}.console.aws.amazon.com`;
  if (incident.category === "network" && GROUP_ID.test(incident.resource)) {
    return {
      label: "Security group in the AWS console",
      url: `${host}/ec2/home?region=${region}#SecurityGroup:groupId=${incident.resource}`,
    };
  }
  if (incident.category === "storage" && BUCKET.test(incident.resource) && !incident.resource.includes("..")) {
    return {
      label: "Bucket in the AWS console",
      url: `https://s3.console.aws.amazon.com/s3/buckets/${incident.resource}?region=${region}`,
    };
  }
  const eventId = incident.eventIds[0];
  if (eventId && EVENT_ID.test(eventId)) {
    return { label: "Event in CloudTrail", url: `${host}/cloudtrailv2/home?region=${region}#/events/${eventId}` };
  }
  return undefined;
}
