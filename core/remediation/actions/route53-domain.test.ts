import {
  GetDomainDetailCommand,
  ListOperationsCommand,
  type ListOperationsCommandOutput,
  ListTagsForDomainCommand,
} from "@aws-sdk/client-route-53-domains";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";
import { createClientFactory } from "../aws/clients.js";

/**
 * route53-domain-relock. moto 5.2's Route 53 Domains implements RegisterDomain, GetDomainDetail,
 * ListDomains, ListOperations and UpdateDomainNameservers, but not DisableDomainTransferLock,
 * EnableDomainTransferLock, TransferDomainToAnotherAwsAccount,
 * CancelDomainTransferToAnotherAwsAccount or ListTagsForDomain: the action is covered here with
 * aws-sdk-client-mock only.
 */

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const transferred = (facts: Record<string, unknown> = {}) =>
  incident(
    "route53-domain-transfer",
    {
      eventName: "TransferDomainToAnotherAwsAccount",
      domainName: "example.com",
      targetAccountId: "210987654321",
      operationId: "op-1",
      ...facts,
    },
    { region: "eu-west-1" },
  );
const unlocked = (facts: Record<string, unknown> = {}) =>
  incident("route53-domain-transfer", { eventName: "disableDomainTransferLock", domainName: "example.com", ...facts });

const pending = (domain: string): Partial<ListOperationsCommandOutput> => ({
  Operations: [
    {
      OperationId: "op-1",
      DomainName: domain,
      Status: "IN_PROGRESS",
      Type: "INTERNAL_TRANSFER_OUT_DOMAIN",
      SubmittedDate: new Date(),
    },
  ],
});

/** The domain, its lock read after read (the last one from then on). */
function domain(locked: [...boolean[], boolean], tags: { Key: string; Value: string }[] = []) {
  const answer = (value: boolean) => ({
    DomainName: "example.com",
    StatusList: value ? ["clientTransferProhibited", "clientDeleteProhibited"] : ["clientDeleteProhibited"],
  });
  const detail = aws.route53domains.on(GetDomainDetailCommand);
  for (const value of locked.slice(0, -1)) detail.resolvesOnce(answer(value) as never);
  detail.resolves(answer(locked.at(-1) as boolean) as never);
  aws.route53domains.on(ListTagsForDomainCommand).resolves({ TagList: tags });
}

describe("route53-domain-relock: plan", () => {
  it("cancels the transfer, then locks the domain, in us-east-1 whatever the incident's region", () => {
    expect(staticPlan("route53-domain-relock", transferred())).toMatchObject({
      ok: true,
      planned: {
        target: "domain example.com",
        destructive: false,
        calls: [
          {
            service: "route53domains",
            operation: "CancelDomainTransferToAnotherAwsAccount",
            params: { DomainName: "example.com" },
            region: "us-east-1",
          },
          {
            service: "route53domains",
            operation: "EnableDomainTransferLock",
            params: { DomainName: "example.com" },
            region: "us-east-1",
          },
        ],
      },
    });
  });

  it("locks the domain after the lock was disabled (either spelling of the event)", () => {
    for (const eventName of ["DisableDomainTransferLock", "disableDomainTransferLock"]) {
      expect(staticPlan("route53-domain-relock", unlocked({ eventName }))).toMatchObject({
        ok: true,
        planned: { calls: [{ operation: "EnableDomainTransferLock", params: { DomainName: "example.com" } }] },
      });
    }
  });

  it.each([
    ["no domain", { domainName: "" }, /no valid domain/],
    ["an odd domain", { domainName: "example.com/../x" }, /no valid domain/],
    ["a domain that is not text", { domainName: { name: "example.com" } }, /no valid domain/],
    ["another event", { eventName: "UpdateDomainContact" }, /does not undo "UpdateDomainContact"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("route53-domain-relock", unlocked(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it("builds the Route 53 Domains client in us-east-1 whatever region it is asked for", async () => {
    const client = createClientFactory({})("route53domains", "eu-west-1") as unknown as {
      config: { region: () => Promise<string> };
    };

    expect(await client.config.region()).toBe("us-east-1");
  });
});

describe("route53-domain-relock: live", () => {
  it("cancels the pending transfer and locks the domain, then verifies both", async () => {
    domain([false, true]);
    aws.route53domains.on(ListOperationsCommand).resolvesOnce(pending("example.com")).resolves({ Operations: [] });

    const { applied, verification } = await remediateAndVerify("route53-domain-relock", transferred());

    expect(aws.inputs("ListOperationsCommand")[0]).toEqual({
      Type: ["INTERNAL_TRANSFER_OUT_DOMAIN"],
      Status: ["SUBMITTED", "IN_PROGRESS"],
      MaxItems: 100,
    });
    expect(aws.inputs("CancelDomainTransferToAnotherAwsAccountCommand")).toEqual([{ DomainName: "example.com" }]);
    expect(aws.inputs("EnableDomainTransferLockCommand")).toEqual([{ DomainName: "example.com" }]);
    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({ verified: true, checks: [{ ok: true }, { ok: true }] });
  });

  it("reads every page of operations, and only cancels a transfer of this domain", async () => {
    domain([true]);
    aws.route53domains
      .on(ListOperationsCommand)
      .resolvesOnce({ ...pending("other.example"), NextPageMarker: "m2" })
      .resolves({ Operations: [] });

    const { applied } = await remediateAndVerify("route53-domain-relock", transferred());

    expect(aws.inputs("ListOperationsCommand")[1]).toMatchObject({ Marker: "m2" });
    expect(aws.inputs("CancelDomainTransferToAnotherAwsAccountCommand")).toEqual([]);
    expect(applied.outcome).toBe("already-done");
  });

  it("locks the unlocked domain without reading transfers", async () => {
    domain([false, true]);

    const { applied, verification } = await remediateAndVerify("route53-domain-relock", unlocked());

    expect(aws.inputs("ListOperationsCommand")).toEqual([]);
    expect(aws.inputs("EnableDomainTransferLockCommand")).toEqual([{ DomainName: "example.com" }]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("is already done when the domain is locked", async () => {
    domain([true]);

    const { applied } = await remediateAndVerify("route53-domain-relock", unlocked());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("EnableDomainTransferLockCommand")).toEqual([]);
  });

  it("fails verification while the domain lacks clientTransferProhibited", async () => {
    domain([false]);

    const { verification } = await remediateAndVerify("route53-domain-relock", unlocked());

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "StatusList lacks clientTransferProhibited" })],
    });
  });

  it("fails verification while the transfer is still pending", async () => {
    domain([true]);
    aws.route53domains.on(ListOperationsCommand).resolves(pending("EXAMPLE.com"));

    const { verification } = await remediateAndVerify("route53-domain-relock", transferred());

    expect(verification).toMatchObject({ verified: false, checks: [{ ok: true }, { ok: false }] });
  });

  it("counts a domain no longer in the account as gone, and verification fails it", async () => {
    aws.route53domains.on(GetDomainDetailCommand).rejects(awsError("InvalidInput", "Domain example.com not found"));

    const { applied, verification } = await remediateAndVerify("route53-domain-relock", transferred());

    expect(applied.outcome).toBe("gone");
    expect(verification.verified).toBe(false);
  });

  it("leaves a protected domain alone", async () => {
    domain([false], [{ Key: "riposte:protect", Value: "true" }]);

    const { applied } = await remediateAndVerify("route53-domain-relock", unlocked());

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("EnableDomainTransferLockCommand")).toEqual([]);
  });
});
