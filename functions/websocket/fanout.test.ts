import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import type { LiveMessage } from "../../core/model/messages.js";
import type { ConnectionRegistry } from "../../core/store/dynamodb/connections.js";
import { fanOut, fitForFrame } from "./fanout.js";

const management = mockClient(ApiGatewayManagementApiClient);
afterEach(() => management.reset());

function registry(ids: string[]): ConnectionRegistry & { ids: Set<string> } {
  const set = new Set(ids);
  return {
    ids: set,
    add: async (id) => void set.add(id),
    remove: async (id) => void set.delete(id),
    list: async () => [...set],
  };
}

const changed = (version: number): LiveMessage => ({
  v: 1,
  type: "incident.changed",
  id: "inc-1",
  status: "TRIAGED",
  version,
  at: "2026-01-01T00:00:00.000Z",
});

const sentTo = (id: string) =>
  management
    .commandCalls(PostToConnectionCommand)
    .filter((call) => call.args[0].input.ConnectionId === id)
    .map((call) => JSON.parse(Buffer.from(call.args[0].input.Data as Uint8Array).toString("utf8")).version);

describe("fanOut", () => {
  it("posts every message to every connection in order", async () => {
    management.on(PostToConnectionCommand).resolves({});
    const connections = registry(["a", "b"]);

    const result = await fanOut([changed(2), changed(3), changed(4)], {
      connections,
      management: new ApiGatewayManagementApiClient({ endpoint: "https://example.com/prod", region: "eu-west-1" }),
      logger: silentLogger,
    });

    expect(result).toEqual({ connections: 2, sent: 6, gone: 0, failed: 0 });
    expect(sentTo("a")).toEqual([2, 3, 4]);
    expect(sentTo("b")).toEqual([2, 3, 4]);
  });

  it("removes connections that are gone (410) and keeps those that failed otherwise", async () => {
    management
      .on(PostToConnectionCommand, { ConnectionId: "gone" })
      .rejects(new GoneException({ message: "gone", $metadata: { httpStatusCode: 410 } }))
      .on(PostToConnectionCommand, { ConnectionId: "flaky" })
      .rejects(Object.assign(new Error("throttled"), { name: "LimitExceededException" }))
      .on(PostToConnectionCommand, { ConnectionId: "ok" })
      .resolves({});
    const connections = registry(["gone", "flaky", "ok"]);

    const result = await fanOut([changed(2), changed(3)], {
      connections,
      management: new ApiGatewayManagementApiClient({ endpoint: "https://example.com/prod", region: "eu-west-1" }),
      logger: silentLogger,
    });

    expect(result).toEqual({ connections: 3, sent: 2, gone: 1, failed: 1 });
    expect([...connections.ids].sort()).toEqual(["flaky", "ok"]);
    expect(sentTo("gone")).toHaveLength(1);
  });

  it("does not even list connections when there is nothing to send", async () => {
    const connections = registry(["a"]);

    const result = await fanOut([], {
      connections: { ...connections, list: () => Promise.reject(new Error("must not be called")) },
      management: new ApiGatewayManagementApiClient({ endpoint: "https://example.com/prod", region: "eu-west-1" }),
      logger: silentLogger,
    });

    expect(result.sent).toBe(0);
  });

  it("sends a created message too large for a 32 KB frame as a change", () => {
    const huge: LiveMessage = {
      v: 1,
      type: "incident.created",
      incident: {
        id: "inc-9",
        detection: "root-account-usage",
        category: "identity",
        severity: "critical",
        title: "x".repeat(40_000),
        status: "NEW",
        version: 1,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
        account: "1",
        region: "r",
        principal: "",
        resource: "",
        mode: "dry-run",
      },
    };

    expect(JSON.parse(fitForFrame(huge))).toEqual({
      v: 1,
      type: "incident.changed",
      id: "inc-9",
      status: "NEW",
      version: 1,
      at: "2026-01-01T00:00:00.000Z",
    });
  });
});
