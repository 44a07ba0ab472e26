import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenChecker } from "../../core/api/auth.js";
import { silentLogger } from "../../core/log.js";
import { DynamoConnections } from "../../core/store/dynamodb/connections.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { createConnectHandler } from "./connect.js";
import { createDisconnectHandler } from "./disconnect.js";

const TOKEN = "dashboard-token-for-connect-tests";
let server: DynamoServer;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server.stop();
});

async function setup(allowedOrigins: string[] = []) {
  const client = server.client();
  const tableName = uniqueTableName();
  await createTable(client, tableName);
  const connections = new DynamoConnections({ client, tableName });
  const deps = {
    checkToken: createTokenChecker([{ token: TOKEN, principal: "dashboard" }]),
    connections,
    allowedOrigins: new Set(allowedOrigins),
    logger: silentLogger,
    now: () => new Date(),
  };
  return {
    connections,
    connect: createConnectHandler(() => deps),
    disconnect: createDisconnectHandler(() => deps),
  };
}

const event = (connectionId: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) => ({
  requestContext: { connectionId, routeKey: "$connect" },
  queryStringParameters: query,
  headers,
});

describe("WebSocket $connect and $disconnect", () => {
  it("registers a connection with a valid token, by query or header, and forgets it on disconnect", async () => {
    const { connections, connect, disconnect } = await setup();

    const byQuery = await connect(event("c-1", { token: TOKEN }));
    const byHeader = await connect(event("c-2", {}, { Authorization: `Bearer ${TOKEN}` }));
    const listed = (await connections.list()).sort();
    await disconnect(event("c-1"));
    const after = await connections.list();

    expect([byQuery.statusCode, byHeader.statusCode]).toEqual([200, 200]);
    expect(listed).toEqual(["c-1", "c-2"]);
    expect(after).toEqual(["c-2"]);
  });

  it("refuses a missing or wrong token and registers nothing", async () => {
    const { connections, connect } = await setup();

    const missing = await connect(event("c-1"));
    const wrong = await connect(event("c-2", { token: `${TOKEN}!` }));

    expect([missing.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(await connections.list()).toEqual([]);
  });

  it("refuses a browser from an origin outside the configured ones", async () => {
    const { connect } = await setup(["https://dash.example.com"]);

    const foreign = await connect(event("c-1", { token: TOKEN }, { Origin: "https://evil.example" }));
    const own = await connect(event("c-2", { token: TOKEN }, { Origin: "https://dash.example.com" }));

    expect(foreign.statusCode).toBe(403);
    expect(own.statusCode).toBe(200);
  });

  it("skips connections whose TTL has passed even before DynamoDB deletes them", async () => {
    const { connections } = await setup();
    await connections.add("old", { principal: "dashboard", connectedAt: new Date("2026-01-01T00:00:00.000Z") });
    await connections.add("new", { principal: "dashboard", connectedAt: new Date("2026-01-01T05:00:00.000Z") });

    const listed = await connections.list(new Date("2026-01-01T05:30:00.000Z"));

    expect(listed).toEqual(["new"]);
  });
});
