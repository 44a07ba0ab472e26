import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { deployedConfig, linked, linkedDashboardTokens, optionalSecret, stateMachineArns } from "./resources.js";

const machine = (name: string) => ({ arn: `arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-${name}` });

describe("linked resources", () => {
  it("reads and validates a link, naming it when it is missing or malformed", () => {
    expect(linked("Incidents", { Incidents: { name: "riposte-prod-table" } })).toEqual({ name: "riposte-prod-table" });
    expect(() => linked("Incidents", {})).toThrow(/the Incidents link is missing or invalid/);
    expect(() => linked("CorrelateQueue", { CorrelateQueue: { url: "not a url" } })).toThrow(
      /CorrelateQueue link.*url/,
    );
  });

  it("reports a link SST does not have as unavailable", () => {
    const source = new Proxy({} as Record<string, unknown>, {
      get(_target, name) {
        throw new Error(`"${String(name)}" is not linked in your sst.config.ts`);
      },
    });

    expect(() => linked("DashboardToken", source)).toThrow(/DashboardToken link is not available: .*not linked/);
  });

  it("treats an unset or blank secret as absent", () => {
    expect(optionalSecret("SlackBotToken", { SlackBotToken: { value: " xoxb-1 " } })).toBe("xoxb-1");
    expect(optionalSecret("SlackBotToken", { SlackBotToken: { value: "  " } })).toBeUndefined();
    expect(optionalSecret("SlackSigningSecret", {})).toBeUndefined();
  });

  it("reads the dashboard's tokens: DashboardUsers by name (absent or blank: none) and DashboardToken", () => {
    const shared = { DashboardToken: { value: "shared-token-0123456789" } };
    const alice = "alice-token-0123456789abcdef";

    expect(linkedDashboardTokens({ ...shared, DashboardUsers: { value: `alice=${alice}` } })).toEqual([
      { principal: "alice", token: alice },
      { principal: "dashboard", token: "shared-token-0123456789" },
    ]);
    expect(linkedDashboardTokens({ ...shared, DashboardUsers: { value: " " } })).toEqual([
      { principal: "dashboard", token: "shared-token-0123456789" },
    ]);
    expect(linkedDashboardTokens(shared)).toHaveLength(1);
    expect(() => linkedDashboardTokens({ ...shared, DashboardUsers: { value: "alice" } })).toThrow(
      "the DashboardUsers secret: entry 1 is not name=token",
    );
    expect(() => linkedDashboardTokens({ DashboardUsers: { value: `alice=${alice}` } })).toThrow(/DashboardToken link/);
  });

  it("validates the deployed configuration with the schema", () => {
    const settings = (config: unknown) => ({
      Settings: { config: JSON.stringify(config), version: "1", stage: "prod" },
    });

    expect(deployedConfig(settings({ remediation: { mode: "live" } }))).toEqual(
      parseConfig({ remediation: { mode: "live" } }),
    );
    expect(() => deployedConfig(settings({ remediation: { mode: "sometimes" } }))).toThrow(/remediation\.mode/);
    expect(() => deployedConfig({ Settings: { config: "{ nope", version: "1", stage: "prod" } })).toThrow(/not JSON/);
  });

  it("finds every category's state machine by its link name", () => {
    const source = {
      IdentityWorkflow: machine("identity"),
      LoggingWorkflow: machine("logging"),
      NetworkWorkflow: machine("network"),
      StorageWorkflow: machine("storage"),
      ThreatWorkflow: machine("threat"),
    };

    expect(stateMachineArns(source).network).toBe(machine("network").arn);
    expect(() => stateMachineArns({ ...source, ThreatWorkflow: { arn: "arn:aws:sns:x" } })).toThrow(/ThreatWorkflow/);
  });
});
