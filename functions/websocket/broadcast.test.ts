import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import type { ConnectionRegistry } from "../../core/store/dynamodb/connections.js";
import { createBroadcastHandler } from "./broadcast.js";
import { createHeartbeatHandler } from "./heartbeat.js";

const management = mockClient(ApiGatewayManagementApiClient);
afterEach(() => management.reset());

function deps(ids: string[]) {
  const set = new Set(ids);
  const connections: ConnectionRegistry = {
    add: async (id) => void set.add(id),
    remove: async (id) => void set.delete(id),
    list: async () => [...set],
  };
  return {
    set,
    deps: {
      connections,
      management: new ApiGatewayManagementApiClient({ endpoint: "https://example.com/prod", region: "eu-west-1" }),
      logger: silentLogger,
      now: () => new Date("2026-01-01T00:00:00.000Z"),
    },
  };
}

const incidentImage = (version: number, status: string) => ({
  pk: { S: "INCIDENT#inc-1" },
  sk: { S: "INCIDENT" },
  id: { S: "inc-1" },
  status: { S: status },
  version: { N: String(version) },
  updatedAt: { S: `2026-01-01T00:00:0${version}.000Z` },
});

const posted = (connectionId?: string) =>
  management
    .commandCalls(PostToConnectionCommand)
    .filter((call) => connectionId === undefined || call.args[0].input.ConnectionId === connectionId)
    .map((call) => JSON.parse(Buffer.from(call.args[0].input.Data as Uint8Array).toString("utf8")));

describe("broadcast and heartbeat functions", () => {
  it("posts one message per incident change in stream order and prunes a gone connection", async () => {
    management
      .on(PostToConnectionCommand, { ConnectionId: "live" })
      .resolves({})
      .on(PostToConnectionCommand, { ConnectionId: "closed" })
      .rejects(new GoneException({ message: "gone", $metadata: { httpStatusCode: 410 } }));
    const { set, deps: fanoutDeps } = deps(["live", "closed"]);
    const handler = createBroadcastHandler(() => fanoutDeps);

    const result = await handler({
      Records: [
        { eventName: "MODIFY", dynamodb: { OldImage: incidentImage(1, "NEW"), NewImage: incidentImage(2, "TRIAGED") } },
        {
          eventName: "MODIFY",
          dynamodb: { OldImage: incidentImage(2, "TRIAGED"), NewImage: incidentImage(3, "MITIGATED") },
        },
      ],
    });

    expect(result).toEqual({ connections: 2, sent: 2, gone: 1, failed: 0 });
    expect(posted("live").map((message) => [message.type, message.version, message.status])).toEqual([
      ["incident.changed", 2, "TRIAGED"],
      ["incident.changed", 3, "MITIGATED"],
    ]);
    expect(posted("closed")).toHaveLength(1);
    expect([...set]).toEqual(["live"]);
  });

  it("does nothing for records that are not incident changes", async () => {
    const { deps: fanoutDeps } = deps(["live"]);
    const handler = createBroadcastHandler(() => fanoutDeps);

    const result = await handler({
      Records: [{ eventName: "INSERT", dynamodb: { NewImage: { sk: { S: "AUDIT#x" } } } }],
    });

    expect(result.sent).toBe(0);
    expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });

  it("sends a heartbeat to every connection", async () => {
    management.on(PostToConnectionCommand).resolves({});
    const { deps: fanoutDeps } = deps(["a", "b"]);

    const result = await createHeartbeatHandler(() => fanoutDeps)();

    expect(result.sent).toBe(2);
    expect(posted()).toEqual([
      { v: 1, type: "heartbeat", at: "2026-01-01T00:00:00.000Z" },
      { v: 1, type: "heartbeat", at: "2026-01-01T00:00:00.000Z" },
    ]);
  });
});
