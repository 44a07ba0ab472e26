import { isProtectedStage } from "../infra/stages";
import { incidentTableArgs } from "../infra/table";

// The incident store: one DynamoDB table (single-table design: incidents, audit, approvals,
// correlation state, the action ledger, WebSocket connections), with TTL and the stream that
// drives the live broadcast. Its keys and indexes come from the store's own layout.
export const table = new sst.aws.Dynamo("IncidentTable", {
  ...incidentTableArgs(),
  deletionProtection: isProtectedStage($app.stage),
});

// What functions read at run time (`Resource.Incidents.name`); permissions are granted per function.
export const incidents = new sst.Linkable("Incidents", { properties: { name: table.name } });
