import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_SPECS } from "../../infra/functions.js";

/**
 * The WebSocket functions that check no token (broadcast, heartbeat, $disconnect) get no dashboard
 * token link: their deps build from exactly the links the deployment gives them.
 */

const VALUES: Record<string, unknown> = {
  Incidents: { name: "riposte-test-IncidentTable-abc" },
  Realtime: { url: "wss://ws.example/$default", managementEndpoint: "https://ws.example/$default" },
};
const savedEnv = { ...process.env };

beforeAll(() => {
  process.env.SST_RESOURCE_App = JSON.stringify({ name: "riposte", stage: "test" });
  for (const name of FUNCTION_SPECS.wsBroadcast.links) {
    process.env[`SST_RESOURCE_${name}`] = JSON.stringify(VALUES[name] ?? { value: "unexpected link" });
  }
  process.env.AWS_REGION = "eu-west-1";
});

afterAll(() => {
  process.env = savedEnv;
});

describe("WebSocket deps without the dashboard tokens", () => {
  it("build from the broadcast function's links alone", async () => {
    const { awsLiveDeps } = await import("./resources.js");

    const deps = awsLiveDeps();

    expect(FUNCTION_SPECS.wsBroadcast.links).not.toContain("DashboardToken");
    expect(FUNCTION_SPECS.wsHeartbeat.links).toEqual(FUNCTION_SPECS.wsBroadcast.links);
    expect(FUNCTION_SPECS.wsDisconnect.links).toEqual(FUNCTION_SPECS.wsBroadcast.links);
    expect(deps.connections).toBeDefined();
  });
});
