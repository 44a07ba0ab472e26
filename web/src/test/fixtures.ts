import type { IncidentDetailResponse } from "../../../core/model/api.js";
import type { HistoryEvent } from "../../../core/model/history.js";
import type { Incident, IncidentSummary } from "../../../core/model/incident.js";

/** Test data builders for the dashboard's component tests. */

let sequence = 0;

/** A summary with sensible defaults; ids are unique per call unless given. */
export function summary(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  sequence += 1;
  return {
    id: `inc-${sequence}`,
    detection: "sg-ssh-open-world",
    category: "network",
    severity: "high",
    title: "SSH opened to the world on sg-0abc",
    status: "NEW",
    version: 1,
    createdAt: "2026-03-01T10:00:00.000Z",
    updatedAt: "2026-03-01T10:00:00.000Z",
    account: "111122223333",
    region: "eu-west-1",
    principal: "arn:aws:iam::111122223333:user/alice",
    resource: "sg-0abc",
    sourceIp: "203.0.113.7",
    mode: "dry-run",
    ...overrides,
  };
}

/** A stored incident built on a summary. */
export function incident(overrides: Partial<Incident> = {}): Incident {
  const base = summary({ id: overrides.id ?? "inc-detail" });
  return {
    ...base,
    time: base.createdAt,
    eventIds: ["evt-1"],
    summary: "alice opened port 22 to 0.0.0.0/0 on sg-0abc",
    facts: {},
    evidence: [],
    actions: [],
    approvals: [],
    transitions: [{ from: null, to: "NEW", at: base.createdAt, by: "open" }],
    ...overrides,
  } as Incident;
}

/** A small ASL definition with an approval branch and a failure path. */
export const DEFINITION = {
  StartAt: "Enrich the incident",
  QueryLanguage: "JSONata",
  States: {
    "Enrich the incident": {
      Type: "Task",
      Next: "Score the incident",
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Record failure" }],
    },
    "Score the incident": { Type: "Task", Next: "Approval required?" },
    "Approval required?": {
      Type: "Choice",
      Choices: [{ Condition: "{% $route = 'approval' %}", Next: "Request approval", Comment: "needs approval" }],
      Default: "Remediate",
    },
    "Request approval": { Type: "Task", Next: "Remediate" },
    Remediate: {
      Type: "Task",
      Next: "Record outcome",
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Record failure" }],
    },
    "Record outcome": { Type: "Task", End: true },
    "Record failure": { Type: "Fail", Error: "Failed" },
  },
};

let eventId = 0;
/** A history event of `type` with details under the member its type names. */
export function historyEvent(
  type: string,
  details?: Record<string, unknown>,
  at = "2026-03-01T10:00:01.000Z",
): HistoryEvent {
  eventId += 1;
  const member = type.endsWith("StateEntered")
    ? "stateEnteredEventDetails"
    : type.endsWith("StateExited")
      ? "stateExitedEventDetails"
      : `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  return { id: eventId, previousEventId: eventId - 1, timestamp: at, type, ...(details ? { [member]: details } : {}) };
}

/** The detail response for an incident, with an execution that ran `states` in order. */
export function detailResponse(
  incidentValue: Incident,
  states: string[] = [],
  running = false,
): IncidentDetailResponse {
  const history: HistoryEvent[] = [historyEvent("ExecutionStarted", { input: "{}" })];
  for (const name of states) {
    history.push(historyEvent("TaskStateEntered", { name, input: "{}" }));
    history.push(historyEvent("TaskStateExited", { name, output: "{}" }));
  }
  if (running && states.length) history.pop();
  return {
    incident: incidentValue,
    audit: [{ at: incidentValue.createdAt, actor: "open", action: "status.changed", detail: { to: "NEW" } }],
    execution: {
      executionArn: `arn:aws:states:local:000000000000:execution:network:${incidentValue.id}`,
      name: incidentValue.id,
      stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:network",
      status: running ? "RUNNING" : "SUCCEEDED",
      startDate: incidentValue.createdAt,
      history,
      definition: DEFINITION,
    },
  };
}
