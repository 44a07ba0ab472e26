import { describe, expect, it } from "vitest";
import { iam, identity } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { findingFromEvent } from "../stateless.js";
import { iamAdminPolicyAttached } from "./iam-admin-policy-attached.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;
const find = (record: unknown) => findingFromEvent("iam-admin-policy-attached", envelopeOf(record), config);
const admin = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

describe("iam-admin-policy-attached", () => {
  it("names the identity the call acted on as targetUserName/targetRoleName/targetGroupName, and the actor as every finding does", () => {
    const attached = find(
      iam(
        "AttachRolePolicy",
        { roleName: "backdoor", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        null,
        { user: identity.role("Deployer", "ci") },
      ),
    );
    const put = find(iam("PutUserPolicy", { userName: "bob", policyName: "full", policyDocument: admin }));

    expect(attached?.resource).toBe("role/backdoor");
    expect(attached?.facts).toMatchObject({
      eventName: "AttachRolePolicy",
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      targetRoleName: "backdoor",
      roleName: "Deployer",
      principalType: "AssumedRole",
    });
    expect(attached?.facts).not.toHaveProperty("targetUserName");
    expect(put?.facts).toMatchObject({
      eventName: "PutUserPolicy",
      policyName: "full",
      targetUserName: "bob",
      userName: "alice",
      adminStatements: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
    expect(put?.summary).toBe(
      "arn:aws:iam::123456789012:user/alice put inline policy full allowing every action on every resource on user bob",
    );
  });

  it("reports an inline policy it cannot read, saying why, and guesses nothing", () => {
    const finding = find(iam("PutGroupPolicy", { groupName: "ops", policyName: "p", policyDocument: "not json" }));

    expect(finding?.summary).toMatch(
      /^.+ put inline policy p on group ops, and its logged document could not be read: /,
    );
    expect(finding?.facts).toMatchObject({
      targetGroupName: "ops",
      policyName: "p",
      policyProblem: expect.stringMatching(/JSON/),
    });
    expect(finding?.facts).not.toHaveProperty("adminStatements");
  });

  it("quotes attacker text in the summary", () => {
    const finding = find(
      iam("PutUserPolicy", { userName: "bob\nFAKE LINE", policyName: "x".repeat(500), policyDocument: admin }),
    );

    expect(finding?.summary).not.toContain("\n");
    expect(finding?.summary.length).toBeLessThan(300);
  });

  it.each([
    ["null requestParameters", null],
    ["a string for requestParameters", "policyArn=x"],
    ["a number for the policy ARN", { userName: "u", policyArn: 7 }],
    ["a policy document that is a number", { userName: "u", policyName: "p", policyDocument: 12 }],
    ["Statement that is a string", { userName: "u", policyDocument: '{"Statement":"*"}' }],
    [
      "Action of mixed types",
      { userName: "u", policyDocument: '{"Statement":{"Effect":"Allow","Action":[1,null],"Resource":"*"}}' },
    ],
    [
      "a huge document",
      {
        userName: "u",
        policyDocument: `{"Statement":[${'{"Effect":"Deny","Action":"*","Resource":"*"},'.repeat(20_000)}{}]}`,
      },
    ],
  ])("does not throw on %s", (_name, requestParameters) => {
    for (const eventName of ["AttachUserPolicy", "PutUserPolicy", "PutRolePolicy"]) {
      expect(() =>
        iamAdminPolicyAttached.evaluate(envelopeOf(iam(eventName, requestParameters)), config),
      ).not.toThrow();
    }
  });

  it("does not read an inline policy whose document was not logged", () => {
    expect(find(iam("PutUserPolicy", { userName: "u", policyName: "p" }))).toBeUndefined();
    expect(find(iam("PutUserPolicy", null))).toBeUndefined();
  });
});
