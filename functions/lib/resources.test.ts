import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { deployedConfig, linked, optionalSecret, stateMachineArns } from "./resources.js";

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
