import { describe, expect, it } from "vitest";
import { identity, record } from "../../test/fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { parseConfig } from "../config/load.js";
import { createDetectionEngine } from "../engine/engine.js";
import { normalizeRecords } from "../events/index.js";
import { toValidAsff } from "../export/asff.js";
import { FindingSchema } from "../model/incident.js";
import { chooseActions } from "../remediation/responses.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { parseRuleText } from "./parse-text.js";

const config = parseConfig({});
function parsed(text: string) {
  const result = parseRuleText(text, "a.yml");
  if (!("rule" in result)) throw new Error(JSON.stringify(result.problems));
  return result.rule;
}
const rule = parsed(GOOD_YAML);
/** Any CreateUser call, whoever makes it. */
const anyCreateUser = parsed(
  GOOD_YAML.replace("root-created-user", "any-created-user").replace("    userIdentity: { type: [Root] }\n", ""),
);

async function run(records: unknown[], rules = [rule]) {
  const engine = createDetectionEngine({ config, state: new MemoryCorrelationStore(), rules });
  const { events } = normalizeRecords(records);
  const findings = [];
  for (const event of events) findings.push(...(await engine.process(event)));
  return findings;
}

const createUser = (user = identity.root(), userAgent = "aws-cli/2.15") =>
  record(
    "iam.amazonaws.com",
    "CreateUser",
    { userName: "backdoor" },
    { user: { userName: "backdoor" } },
    { user, userAgent },
  );

describe("a user's rule in the engine", () => {
  it("fires on what its pattern and condition describe, with the built-in detections", async () => {
    const findings = await run([createUser()]);
    const mine = findings.filter((finding) => finding.detection === "root-created-user");
    expect(mine).toHaveLength(1);
    expect(findings.map((finding) => finding.detection)).toContain("root-account-usage");
    const finding = FindingSchema.parse(mine[0]);
    expect(finding).toMatchObject({
      category: "identity",
      severity: "high",
      title: "The root user created an IAM user",
      principal: "arn:aws:iam::123456789012:root",
      facts: {
        eventName: "CreateUser",
        eventSource: "iam.amazonaws.com",
        principalType: "Root",
        targetUserName: "backdoor",
      },
      rule: { response: { mode: "notify" }, attack: { id: "T1136.003" }, asff: ["TTPs"] },
    });
    expect(finding.summary).toBe("arn:aws:iam::123456789012:root called iam.amazonaws.com CreateUser");
    expect(chooseActions({ ...finding, id: "x" }, config).actions).toEqual([]);
    expect(toValidAsff(finding, config, {}).Types).toEqual(["TTPs"]);
  });

  it("does not fire outside its pattern or on its condition's exclusion", async () => {
    const findings = await run([createUser(identity.user()), createUser(identity.root(), "console.amazonaws.com")]);
    expect(findings.filter((finding) => finding.detection === "root-created-user")).toEqual([]);
  });

  it("never fires on Riposte's own role (loop prevention)", async () => {
    const findings = await run(
      [createUser(identity.role("riposte-remediator", "s1")), createUser(identity.role("Admin", "s2"))],
      [anyCreateUser],
    );
    expect(findings.filter((finding) => finding.detection === "any-created-user").map((f) => f.principal)).toEqual([
      "arn:aws:sts::123456789012:assumed-role/Admin/s2",
    ]);
  });

  it("is off when not loaded", async () => {
    expect((await run([createUser()], [])).map((finding) => finding.detection)).not.toContain("root-created-user");
  });
});
