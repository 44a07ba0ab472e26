import { describe, expect, it } from "vitest";
import { fitName, pascalCase, roleName, stageName, workflowLogicalName } from "./names.js";

describe("names", () => {
  it("makes PascalCase logical names from ids", () => {
    expect(pascalCase("sg-ssh-open-world")).toBe("SgSshOpenWorld");
    expect(pascalCase("s3-cors-permissive")).toBe("S3CorsPermissive");
    expect(workflowLogicalName("network")).toBe("NetworkWorkflow");
  });

  it("starts every role name with the tool prefix and keeps it within IAM's 64 characters", () => {
    expect(roleName("riposte-", "prod", "eu-west-1", "Remediate")).toBe("riposte-prod-eu-west-1-Remediate");

    const long = roleName(
      "riposte-",
      "a-very-long-stage-name-for-a-feature-branch-deploy",
      "ap-southeast-2",
      "SweepExpiredChanges",
    );

    expect(long.length).toBeLessThanOrEqual(64);
    expect(long.startsWith("riposte-a-very-long")).toBe(true);
    expect(long).toMatch(/-[0-9a-f]{8}$/);
    expect(roleName("riposte-", "x".repeat(80), "eu-west-1", "A")).not.toBe(
      roleName("riposte-", "x".repeat(80), "eu-west-1", "B"),
    );
  });

  it("gives a stage deployed in two regions distinct roles (IAM names are account-wide)", () => {
    for (const stage of ["prod", "a-very-long-stage-name-for-a-feature-branch-deploy-x"]) {
      expect(roleName("riposte-", stage, "eu-west-1", "Remediate")).not.toBe(
        roleName("riposte-", stage, "us-east-1", "Remediate"),
      );
    }
  });

  it("refuses a prefix that leaves no room for a role name", () => {
    expect(() => roleName("p".repeat(60), "prod", "eu-west-1", "Remediate")).toThrow(/leaves no room/);
  });

  it("scopes names to the stage and cuts them with a hash, keeping them distinct", () => {
    expect(stageName("prod", "riposte-network", 80)).toBe("prod-riposte-network");
    const a = stageName("s".repeat(40), "riposte-s3-public-access-block-disabled", 64);
    const b = stageName("s".repeat(40), "riposte-s3-public-access-block-enabled!", 64);

    expect(a.length).toBe(64);
    expect(a).not.toBe(b);
    expect(fitName("short", 10)).toBe("short");
  });
});
