import { describe, expect, it } from "vitest";
import { ACCOUNT, iam } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { causedByTool } from "../../remediation/guardrails.js";
import { findingFromEvent } from "../stateless.js";
import { iamRoleTrustOpened } from "./iam-role-trust-opened.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;
const FOREIGN = "193672423079";

const update = (statement: unknown, roleName = "r") =>
  iam("UpdateAssumeRolePolicy", {
    roleName,
    policyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statement }),
  });
const find = (record: unknown, options = config) =>
  findingFromEvent("iam-role-trust-opened", envelopeOf(record), options);
const opens = (statement: unknown) => find(update(statement)) !== undefined;

describe("iam-role-trust-opened", () => {
  it("hands the action the role, the new trust policy text and exactly the statements that opened it", () => {
    const service = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
    const foreign = {
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${FOREIGN}:root`, `arn:aws:iam::${ACCOUNT}:root`] },
      Action: "sts:AssumeRole",
    };
    const record = update([service, foreign], "ec2-role");

    const finding = find(record);

    expect(finding?.resource).toBe("role/ec2-role");
    expect(finding?.summary).toBe(
      `arn:aws:iam::${ACCOUNT}:user/alice changed the trust policy of role ec2-role so that account ${FOREIGN} can assume it`,
    );
    expect(finding?.facts).toMatchObject({
      eventName: "UpdateAssumeRolePolicy",
      targetRoleName: "ec2-role",
      trustPolicy: (record.requestParameters as { policyDocument: string }).policyDocument,
      openStatements: [foreign],
      public: false,
      foreignAccounts: [FOREIGN],
      userName: "alice",
    });
  });

  it("does not take a target role named like Riposte's for Riposte's own doing (loop prevention reads the actor)", () => {
    const finding = find(update({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }, "riposte-backdoor"))!;

    expect(finding.facts).toMatchObject({ targetRoleName: "riposte-backdoor" });
    expect(causedByTool({ ...finding, id: "i-1", detection: "iam-role-trust-opened" }, config)).toBeUndefined();
  });

  it("says when the role is open to anyone", () => {
    const finding = find(update({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }));

    expect(finding?.summary).toMatch(/so that anyone can assume it$/);
    expect(finding?.facts).toMatchObject({ public: true, foreignAccounts: [] });
  });

  it("reads CreateRole's trust policy from the response (URL-encoded) when the request lacks it", () => {
    const document = JSON.stringify({
      Statement: { Effect: "Allow", Principal: { AWS: FOREIGN }, Action: "sts:AssumeRole" },
    });
    const record = iam(
      "CreateRole",
      { roleName: "r2" },
      { role: { roleName: "r2", assumeRolePolicyDocument: encodeURIComponent(document) } },
    );

    expect(find(record)?.facts).toMatchObject({
      targetRoleName: "r2",
      trustPolicy: document,
      foreignAccounts: [FOREIGN],
    });
  });

  it("reports a trust policy it cannot read, saying why", () => {
    const finding = find(
      iam("UpdateAssumeRolePolicy", { roleName: "r", policyDocument: '{"Statement":[{"Effect":"Maybe"}]}' }),
    );

    expect(finding?.summary).toMatch(
      /changed the trust policy of role r, and its logged trust policy could not be read: /,
    );
    expect(finding?.facts).toMatchObject({ openStatements: [], policyProblem: expect.stringMatching(/Effect/) });
  });

  it.each([
    ["sts:Assume* on a foreign account", { Principal: { AWS: FOREIGN }, Action: "sts:Assume*" }],
    ["a NotAction that leaves AssumeRole", { Principal: { AWS: FOREIGN }, NotAction: "sts:TagSession" }],
    ["a wildcard inside an AWS principal", { Principal: { AWS: "arn:aws:iam::*:root" }, Action: "sts:AssumeRole" }],
    ["NotPrincipal", { NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
    ["a foreign assumed-role session", { Principal: { AWS: `arn:aws:sts::${FOREIGN}:assumed-role/x/y` }, Action: "*" }],
    [
      "a foreign account in another partition",
      { Principal: { AWS: `arn:aws-cn:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole" },
    ],
    [
      "a ForAllValues organisation condition (passes when absent)",
      {
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-abc" } },
      },
    ],
    [
      "a Null condition on the external id",
      { Principal: "*", Action: "sts:AssumeRole", Condition: { Null: { "sts:ExternalId": "false" } } },
    ],
    [
      "a condition on another key only",
      { Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalTag/team": "ops" } } },
    ],
    [
      "an organisation pinned with one wildcard among its values",
      {
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalOrgID": ["o-abc", "*"] } },
      },
    ],
  ])("opens: %s", (_name, statement) => {
    expect(opens({ Effect: "Allow", ...statement })).toBe(true);
  });

  it.each([
    ["a NotAction that excludes every assume-role action", { Principal: { AWS: FOREIGN }, NotAction: "sts:Assume*" }],
    [
      "a Federated SAML principal",
      { Principal: { Federated: `arn:aws:iam::${FOREIGN}:saml-provider/x` }, Action: "sts:AssumeRoleWithSAML" },
    ],
    [
      "a unique id left by a deleted principal",
      { Principal: { AWS: "AROA1234567890EXAMPLE" }, Action: "sts:AssumeRole" },
    ],
    ["an account id of 11 digits", { Principal: { AWS: "12345678901" }, Action: "sts:AssumeRole" }],
    [
      "the organisation pinned with ForAnyValue:StringLike",
      {
        Principal: "*",
        Action: "sts:AssumeRole",
        Condition: { "ForAnyValue:StringLike": { "aws:principalorgid": ["o-abc"] } },
      },
    ],
    [
      "the account pinned by number",
      {
        Principal: { AWS: "*" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:PrincipalAccount": Number(ACCOUNT) } },
      },
    ],
  ])("does not open: %s", (_name, statement) => {
    expect(opens({ Effect: "Allow", ...statement })).toBe(false);
  });

  it("reads a wildcard principal pinned to a foreign account by aws:PrincipalAccount as that account", () => {
    const pinned = (accounts: string[]) =>
      find(
        update({
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:PrincipalAccount": accounts } },
        }),
      );

    expect(pinned([ACCOUNT, FOREIGN])?.facts).toMatchObject({ public: false, foreignAccounts: [FOREIGN] });
    expect(pinned([ACCOUNT])).toBeUndefined();
  });

  it("counts trusted accounts as ours", () => {
    const record = update({ Effect: "Allow", Principal: { AWS: FOREIGN }, Action: "sts:AssumeRole" });

    expect(find(record, parseConfig({ trustedAccounts: [FOREIGN] }))).toBeUndefined();
    expect(find(record)).toBeDefined();
  });

  it.each([
    ["null requestParameters", null],
    ["a string for requestParameters", "x"],
    ["a number for the document", { roleName: "r", policyDocument: 5 }],
    [
      "Principal of a wrong type",
      { roleName: "r", policyDocument: '{"Statement":{"Effect":"Allow","Principal":{"AWS":{"x":1}},"Action":"*"}}' },
    ],
    [
      "Condition of a wrong type",
      {
        roleName: "r",
        policyDocument: '{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":[1]}}',
      },
    ],
    ["a malformed URL-encoded response", { roleName: "r" }],
  ])("does not throw on %s", (_name, requestParameters) => {
    const response = { role: { assumeRolePolicyDocument: "%E0%A4%A" } };
    for (const eventName of ["CreateRole", "UpdateAssumeRolePolicy"]) {
      expect(() =>
        iamRoleTrustOpened.evaluate(envelopeOf(iam(eventName, requestParameters, response)), config),
      ).not.toThrow();
    }
  });
});
