import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { createLogger } from "../../core/log.js";
import { causedByTool } from "../../core/remediation/guardrails.js";
import type { IncidentView } from "../../core/remediation/types.js";
import { identityPattern, withOwnIdentity } from "./own-identity.js";

function logged() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: "debug", sink: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const base = parseConfig({ remediation: { mode: "live" } });
const event = (principal: string): IncidentView =>
  ({ id: "inc-1", detection: "sg-ssh-open-world", principal, facts: {} }) as unknown as IncidentView;

describe("live remediation's own identity (loop prevention on one machine)", () => {
  it("counts a person's credentials as Riposte's own, and says what that costs", async () => {
    const { logger, lines } = logged();
    const config = await withOwnIdentity(base, async () => ({ Arn: "arn:aws:iam::123456789012:user/alice" }), logger);

    expect(config.protection.toolPrincipals).toEqual(["arn:aws:iam::123456789012:user/alice"]);
    expect(causedByTool(event("arn:aws:iam::123456789012:user/alice"), config)).toMatch(/loop prevention/);
    expect(causedByTool(event("arn:aws:iam::123456789012:user/mallory"), config)).toBeUndefined();
    expect(base.protection.toolPrincipals).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({ level: "warn", identity: "arn:aws:iam::123456789012:user/alice" }),
    ]);
  });

  it("recognises every session of an assumed role by the role", async () => {
    const { logger } = logged();
    const caller = "arn:aws:sts::123456789012:assumed-role/OpsAdmin/alice@example.com";
    const config = await withOwnIdentity(base, async () => ({ Arn: caller }), logger);

    expect(config.protection.toolPrincipals).toEqual(["arn:aws:iam::123456789012:role/OpsAdmin"]);
    expect(causedByTool(event("arn:aws:sts::123456789012:assumed-role/OpsAdmin/other-session"), config)).toMatch(
      /OpsAdmin.*loop prevention/,
    );
    expect(identityPattern("arn:aws-cn:sts::123456789012:assumed-role/R/s")).toBe(
      "arn:aws-cn:iam::123456789012:role/R",
    );
  });

  it("adds nothing for Riposte's own role or an identity already listed", async () => {
    const { logger, lines } = logged();
    const own = await withOwnIdentity(
      base,
      async () => ({ Arn: "arn:aws:sts::123456789012:assumed-role/riposte-remediate-dev/s" }),
      logger,
    );
    expect(own).toBe(base);
    const listed = parseConfig({ protection: { toolPrincipals: ["arn:aws:iam::*:user/ci-*"] } });
    expect(await withOwnIdentity(listed, async () => ({ Arn: "arn:aws:iam::123456789012:user/ci-bot" }), logger)).toBe(
      listed,
    );
    expect(lines.map((line) => line.level)).toEqual(["info", "info"]);
  });

  it("starts anyway when the credentials cannot be asked, saying so", async () => {
    const { logger, lines } = logged();
    const failed = await withOwnIdentity(
      base,
      async () => {
        throw new Error("Could not load credentials from any providers");
      },
      logger,
    );
    const silent = await withOwnIdentity(base, () => new Promise(() => {}), logger, 20);

    expect(failed).toBe(base);
    expect(silent).toBe(base);
    expect(lines).toEqual([
      expect.objectContaining({ level: "warn", error: "Could not load credentials from any providers" }),
      expect.objectContaining({ level: "warn", error: "no answer within 0.02 s" }),
    ]);
  });
});
