import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { ACCOUNT, identity, REGION, record } from "../../../test/fixtures/events/cloudtrail.js";
import { isoTime } from "../../events/time.js";
import { secretsRead } from "./secrets-bulk-read.js";

const T0 = Date.parse("2024-05-01T10:00:00Z");
const MINUTE = 60_000;

const secrets = (eventName: string, requestParameters: unknown) =>
  record("secretsmanager.amazonaws.com", eventName, requestParameters, null);
const ssm = (eventName: string, requestParameters: unknown) =>
  record("ssm.amazonaws.com", eventName, requestParameters, null);
const read = (secretId: string, minute: number, user = identity.user()) =>
  record("secretsmanager.amazonaws.com", "GetSecretValue", { secretId }, null, {
    time: isoTime(T0 + minute * MINUTE),
    user,
  });

describe("secretsRead", () => {
  it("counts a secret under its name, whether named or given by ARN in the event's account and region", () => {
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbC123`;

    expect(secretsRead(secrets("GetSecretValue", { secretId: arn }))).toEqual(["secretsmanager:prod/db"]);
    expect(secretsRead(secrets("GetSecretValue", { secretId: "prod/db" }))).toEqual(["secretsmanager:prod/db"]);
  });

  it("keeps the account and region of a secret elsewhere", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:prod/db-AbC123";

    expect(secretsRead(secrets("GetSecretValue", { secretId: arn }))).toEqual([
      "secretsmanager:210987654321:eu-west-1:prod/db",
    ]);
  });

  it("counts each listed secret of a batch, and a batch chosen by filters once", () => {
    const filters = [{ key: "tag-key", values: ["!tagKeyThatWillNeverExist"] }];

    expect(secretsRead(secrets("BatchGetSecretValue", { secretIdList: ["a", "b"] }))).toEqual([
      "secretsmanager:a",
      "secretsmanager:b",
    ]);
    expect(secretsRead(secrets("BatchGetSecretValue", { filters }))).toEqual([
      `secretsmanager:filters ${JSON.stringify(filters)}`,
    ]);
  });

  it("counts decrypted parameters by name, version and label aside, and paths by path", () => {
    const arn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db/password`;

    expect(secretsRead(ssm("GetParameter", { name: "/prod/db/password:3", withDecryption: true }))).toEqual([
      "ssm:/prod/db/password",
    ]);
    expect(secretsRead(ssm("GetParameters", { names: [arn, "token"], withDecryption: true }))).toEqual([
      "ssm:/prod/db/password",
      "ssm:/token",
    ]);
    expect(secretsRead(ssm("GetParametersByPath", { path: "/prod/", recursive: true, withDecryption: true }))).toEqual([
      "ssm:path /prod/",
    ]);
  });

  it("does not count parameters read without decryption", () => {
    expect(secretsRead(ssm("GetParameters", { names: ["/a", "/b"], withDecryption: false }))).toEqual([]);
    expect(secretsRead(ssm("GetParameters", { names: ["/a", "/b"] }))).toEqual([]);
    expect(secretsRead(ssm("GetParameter", { name: "/a", withDecryption: "true" }))).toEqual([]);
  });

  it("reads odd shapes as nothing, never throwing", () => {
    const odd = [null, "text", 42, [], { secretId: 7 }, { secretIdList: { items: ["a"] } }, { names: "x" }];
    for (const requestParameters of odd) {
      for (const eventName of ["GetSecretValue", "BatchGetSecretValue"]) {
        expect(() => secretsRead(secrets(eventName, requestParameters))).not.toThrow();
      }
      for (const eventName of ["GetParameter", "GetParameters", "GetParametersByPath"]) {
        expect(() => secretsRead(ssm(eventName, requestParameters))).not.toThrow();
      }
    }
    expect(secretsRead(secrets("GetSecretValue", null))).toEqual([]);
    expect(secretsRead(secrets("BatchGetSecretValue", { secretIdList: [1, null, "ok", ""] }))).toEqual([
      "secretsmanager:ok",
    ]);
  });
});

describe("secrets-bulk-read", () => {
  it("reports the principal, the secrets it read and every read counted", async () => {
    const reads = Array.from({ length: 10 }, (_, index) => read(`prod/app-${index}`, index / 2));

    const [finding, ...more] = of(await detect(reads), "secrets-bulk-read");

    expect(more).toEqual([]);
    expect(finding?.principal).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(finding?.eventIds).toEqual(reads.map((read) => read.eventID));
    expect(finding?.facts).toMatchObject({
      eventName: "GetSecretValue",
      userName: "alice",
      secretCount: 10,
      secrets: Array.from({ length: 10 }, (_, index) => `secretsmanager:prod/app-${index}`),
    });
    expect(finding?.summary).toBe(
      `arn:aws:iam::${ACCOUNT}:user/alice read 10 distinct secrets within 10 minutes: secretsmanager:prod/app-0, secretsmanager:prod/app-1, secretsmanager:prod/app-2, and 7 more`,
    );
  });

  it("fires once per window while the reading goes on, and again a window later", async () => {
    // Two secrets a minute for 25 minutes.
    const reads = Array.from({ length: 50 }, (_, index) => read(`prod/app-${index}`, index / 2));

    const findings = of(await detect(reads), "secrets-bulk-read");

    expect(findings.map((finding) => finding.time)).toEqual([
      isoTime(T0 + 4.5 * MINUTE),
      isoTime(T0 + 14.5 * MINUTE),
      isoTime(T0 + 24.5 * MINUTE),
    ]);
  });

  it("does not count reads made by an AWS service itself", async () => {
    const service = { type: "AWSService", invokedBy: "cloudformation.amazonaws.com" };
    const reads = Array.from({ length: 10 }, (_, index) => read(`prod/app-${index}`, index / 2, service));

    expect(of(await detect(reads), "secrets-bulk-read")).toEqual([]);
  });
});
