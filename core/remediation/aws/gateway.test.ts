import { describe, expect, it } from "vitest";
import { Throttled, TransientError } from "../../errors.js";
import { silentLogger } from "../../log.js";
import { awsCall, liveValue } from "./calls.js";
import { AwsCallError } from "./errors.js";
import { backoffDelay, createAwsGateway } from "./gateway.js";

/** A fake client whose answers are scripted per call; records what it was sent. */
function scriptedClient(script: (() => unknown)[]) {
  const received: { name: string; input: unknown }[] = [];
  return {
    received,
    client: {
      async send(command: unknown) {
        const c = command as { constructor: { name: string }; input: unknown };
        received.push({ name: c.constructor.name, input: c.input });
        const next = script.shift();
        if (!next) throw new Error("unscripted call");
        return next();
      },
    },
  };
}

const sdkError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

function gatewayWith(script: (() => unknown)[], maxAttempts = 4) {
  const sleeps: number[] = [];
  const fake = scriptedClient(script);
  const gateway = createAwsGateway({
    aws: { maxAttempts },
    region: "eu-west-1",
    logger: silentLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clients: () => fake.client,
  });
  return { gateway, sleeps, received: fake.received };
}

const revoke = awsCall("ec2", "RevokeSecurityGroupIngress", { GroupId: "sg-1", SecurityGroupRuleIds: ["sgr-1"] });

describe("AWS gateway", () => {
  it("sends the call's exact parameters with the SDK command of its operation", async () => {
    const { gateway, received } = gatewayWith([() => ({ Return: true })]);

    const answer = await gateway.sendCall(revoke);

    expect(answer).toEqual({ Return: true });
    expect(received).toEqual([
      { name: "RevokeSecurityGroupIngressCommand", input: { GroupId: "sg-1", SecurityGroupRuleIds: ["sgr-1"] } },
    ]);
    expect(gateway.sent).toEqual([revoke]);
  });

  it("retries throttling with backoff, then succeeds", async () => {
    const { gateway, sleeps } = gatewayWith([
      () => {
        throw sdkError("RequestLimitExceeded", 503);
      },
      () => {
        throw sdkError("ThrottlingException", 400);
      },
      () => ({ Return: true }),
    ]);

    await expect(gateway.sendCall(revoke)).resolves.toEqual({ Return: true });
    expect(sleeps).toHaveLength(2);
  });

  it("gives up after maxAttempts with a TransientError the workflow retries", async () => {
    const throttled = () => {
      throw sdkError("SlowDown", 503);
    };
    const { gateway, sleeps } = gatewayWith([throttled, throttled, throttled], 3);

    const failure = gateway.sendCall(revoke);

    await expect(failure).rejects.toBeInstanceOf(TransientError);
    await expect(failure).rejects.toThrow(/ec2:RevokeSecurityGroupIngress failed after 3 attempts: SlowDown/);
    expect(sleeps).toHaveLength(2);
  });

  it("names a failure that was throttling to the end Throttled (the workflows ride it out for minutes)", async () => {
    const throttled = () => {
      throw sdkError("ThrottlingException", 400);
    };
    const failing = () => {
      throw sdkError("InternalError", 500);
    };
    const afterThrottling = gatewayWith([throttled, throttled], 2).gateway.sendCall(revoke);
    const afterFault = gatewayWith([throttled, failing], 2).gateway.sendCall(revoke);

    await expect(afterThrottling).rejects.toMatchObject({ name: "Throttled" });
    await expect(afterThrottling).rejects.toBeInstanceOf(TransientError);
    await expect(afterFault).rejects.toMatchObject({ name: "TransientError" });
    await expect(afterFault).rejects.not.toBeInstanceOf(Throttled);
  });

  it("never retries a client error, and names AWS's code", async () => {
    const { gateway, received } = gatewayWith([
      () => {
        throw sdkError("UnauthorizedOperation", 403);
      },
    ]);

    const failure = gateway.sendCall(revoke);

    await expect(failure).rejects.toBeInstanceOf(AwsCallError);
    await expect(failure).rejects.toMatchObject({ code: "UnauthorizedOperation" });
    expect(received).toHaveLength(1);
  });

  it("refuses to send a call that still holds a live marker", async () => {
    const { gateway, received } = gatewayWith([]);
    const unresolved = awsCall("wafv2", "UpdateIPSet", {
      Name: "n",
      Id: "i",
      Scope: "REGIONAL",
      Addresses: [],
      LockToken: liveValue("GetIPSet.LockToken"),
    });

    await expect(gateway.sendCall(unresolved)).rejects.toThrow(/only a live read supplies/);
    expect(received).toEqual([]);
  });

  it("refuses an operation remediation does not use", async () => {
    const { gateway } = gatewayWith([]);

    await expect(gateway.sendCall({ service: "ec2", operation: "TerminateInstances", params: {} })).rejects.toThrow(
      /does not use the AWS operation ec2:TerminateInstances/,
    );
  });

  it("grows the backoff cap exponentially and stays under it", () => {
    expect(backoffDelay(1, () => 0.999)).toBeLessThan(400);
    expect(backoffDelay(3, () => 0.999)).toBeGreaterThan(1500);
    expect(backoffDelay(20, () => 0.999)).toBeLessThan(5000);
  });
});
