import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { deployConfigPath, deployProblems, loadDeployConfig, packageVersion, runtimeConfig } from "./config.js";

function workspace(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-deploy-"));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(value));
  return dir;
}

describe("the deployment's configuration", () => {
  it("prefers RIPOSTE_CONFIG, then the stage's file, then the shared one, else the defaults", () => {
    const dir = workspace({ "riposte.config.prod.json": {}, "riposte.config.json": {}, "mine.json": {} });
    const only = workspace({ "riposte.config.json": {} });

    expect(deployConfigPath("prod", { cwd: dir, env: { RIPOSTE_CONFIG: "mine.json" } })).toBe(join(dir, "mine.json"));
    expect(deployConfigPath("prod", { cwd: dir, env: {} })).toBe(join(dir, "riposte.config.prod.json"));
    expect(deployConfigPath("dev", { cwd: dir, env: {} })).toBe(join(dir, "riposte.config.json"));
    expect(deployConfigPath("dev", { cwd: only, env: {} })).toBe(join(only, "riposte.config.json"));
    expect(deployConfigPath("dev", { cwd: workspace({}), env: {} })).toBeUndefined();
    expect(() => deployConfigPath("dev", { cwd: dir, env: { RIPOSTE_CONFIG: "missing.json" } })).toThrow(
      /RIPOSTE_CONFIG names .*missing.json, which does not exist/,
    );
  });

  it("loads and validates the file, naming the bad setting", () => {
    const good = workspace({ "riposte.config.json": { remediation: { mode: "live" } } });
    const bad = workspace({ "riposte.config.json": { aws: { logRetentionDays: 2 } } });

    expect(loadDeployConfig("prod", { cwd: good, env: {} }).config.remediation.mode).toBe("live");
    expect(loadDeployConfig("prod", { cwd: workspace({}), env: {} }).source).toBe("defaults");
    expect(() => loadDeployConfig("prod", { cwd: bad, env: {} })).toThrow(/aws\.logRetentionDays/);
  });

  it("refuses a member role whose changes loop prevention would not recognise", () => {
    const config = parseConfig({
      aws: { organization: { id: "o-a1b2c3d4e5", memberRole: { name: "SecurityAutomation", externalId: "x-123" } } },
    });
    const dir = workspace({ "riposte.config.json": config });

    expect(deployProblems(config)).toEqual([
      expect.stringMatching(/memberRole\.name: "SecurityAutomation" must start/),
    ]);
    expect(() => loadDeployConfig("prod", { cwd: dir, env: {} })).toThrow(/cannot be deployed/);
    expect(deployProblems(parseConfig({}))).toEqual([]);
  });

  it("completes the runtime configuration with the alerts topic and the dashboard, keeping what was set", () => {
    const deployment = {
      alertsTopicArn: "arn:aws:sns:eu-west-1:123456789012:riposte-prod-Alerts",
      dashboardUrl: "https://d111.cloudfront.net",
    };

    const filled = runtimeConfig(parseConfig({}), deployment);
    const kept = runtimeConfig(
      parseConfig({
        notify: { sns: { topicArn: "arn:aws:sns:eu-west-1:123456789012:soc" }, dashboardUrl: "https://soc.example" },
        api: { allowedOrigins: ["https://d111.cloudfront.net"] },
      }),
      deployment,
    );

    expect(filled.notify.sns?.topicArn).toBe(deployment.alertsTopicArn);
    expect(filled.notify.dashboardUrl).toBe(deployment.dashboardUrl);
    expect(filled.api.allowedOrigins).toEqual(["https://d111.cloudfront.net"]);
    expect(kept.notify.sns?.topicArn).toBe("arn:aws:sns:eu-west-1:123456789012:soc");
    expect(kept.notify.dashboardUrl).toBe("https://soc.example");
    expect(kept.api.allowedOrigins).toEqual(["https://d111.cloudfront.net"]);
    expect(parseConfig(JSON.parse(JSON.stringify(filled)))).toEqual(filled);
  });

  it("reads the package version", () => {
    expect(packageVersion(workspace({ "package.json": { version: "1.2.3" } }))).toBe("1.2.3");
    expect(() => packageVersion(workspace({ "package.json": {} }))).toThrow(/no version/);
  });
});
