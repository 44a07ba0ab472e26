import { type Incident, IncidentSchema } from "../../model/incident.js";

let sequence = 0;

/** A valid incident for store tests; every call gets a fresh id unless one is given. */
export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  sequence += 1;
  const createdAt = overrides.createdAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString();
  return IncidentSchema.parse({
    id: `sg-ssh-open-world-${String(sequence).padStart(6, "0")}`,
    detection: "sg-ssh-open-world",
    category: "network",
    severity: "high",
    title: "SSH opened to the world on sg-0abc",
    time: createdAt,
    eventIds: [`event-${sequence}`],
    account: "123456789012",
    region: "eu-west-1",
    principal: "arn:aws:iam::123456789012:user/alice",
    resource: "sg-0abc",
    summary: "alice opened port 22 to 0.0.0.0/0",
    sourceIp: "203.0.113.7",
    facts: { groupId: "sg-0abc" },
    evidence: [{ eventName: "AuthorizeSecurityGroupIngress", eventID: `event-${sequence}` }],
    status: "NEW",
    version: 1,
    createdAt,
    updatedAt: createdAt,
    mode: "dry-run",
    transitions: [{ from: null, to: "NEW", at: createdAt, by: "open" }],
    ...overrides,
  });
}

/** Text an attacker controls in CloudTrail fields: quotes, markup, SQL, control characters, emoji. */
export const HOSTILE_TEXT = `'; DROP TABLE incidents; -- "<script>alert(1)</script>" =HYPERLINK("x") \u0000 \u202e 🦀 \\ %s {{x}}`;
