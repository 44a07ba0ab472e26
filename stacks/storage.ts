// The incident store: one DynamoDB table (single-table design), with TTL for correlation state
// and a stream that drives the live WebSocket broadcast.
export const table = new sst.aws.Dynamo("Incidents", {
  fields: { pk: "string", sk: "string" },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  stream: "new-and-old-images",
  ttl: "expiresAt",
});
