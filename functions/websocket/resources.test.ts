import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The WebSocket functions' deps read from SST's links (as on AWS: `SST_RESOURCE_<Name>`):
 * `$connect` knows each person's token from DashboardUsers, and DashboardToken as "dashboard".
 */

const SHARED = "shared-dashboard-token-0123456789";
const ALICE = "alice-dashboard-token-0123456789";
const savedEnv = { ...process.env };

beforeAll(() => {
  const links: Record<string, unknown> = {
    App: { name: "riposte", stage: "test" },
    Incidents: { name: "riposte-test-IncidentTable-abc" },
    DashboardToken: { value: SHARED },
    DashboardUsers: { value: `alice@example.com=${ALICE}` },
    Realtime: { url: "wss://ws.example/$default", managementEndpoint: "https://ws.example/$default" },
  };
  for (const [name, value] of Object.entries(links)) process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value);
  process.env.AWS_REGION = "eu-west-1";
});

afterAll(() => {
  process.env = savedEnv;
});

describe("WebSocket deps from the linked resources", () => {
  it("names the holder of a DashboardUsers token and takes DashboardToken as 'dashboard'", async () => {
    const { awsLiveDeps } = await import("./resources.js");

    const deps = awsLiveDeps();

    expect(deps.checkToken(ALICE)).toBe("alice@example.com");
    expect(deps.checkToken(SHARED)).toBe("dashboard");
    expect(deps.checkToken(`${ALICE}x`)).toBeUndefined();
  });
});
