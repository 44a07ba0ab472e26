import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { toValidAsff } from "../core/export/asff.js";
import { createLogger } from "../core/log.js";
import type { Incident } from "../core/model/incident.js";
import type { IncidentStatus } from "../core/model/status.js";
import { makeIncident } from "../core/store/contract/fixtures.js";
import { incidentItem } from "../core/store/dynamodb/items.js";
import type { StreamAttribute, StreamRecord } from "../core/store/dynamodb/stream.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../test/support/moto.js";
import { accountOfFunction, createSecurityHubHandler, securityHubPort } from "./securityhub.js";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:riposte-prod-SecurityHubSync` };
const PRODUCT = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;
const on = parseConfig({ securityHub: { export: true } });
const logger = createLogger({ level: "error", sink: () => {} });

/** The incident's table item as the stream's Lambda event carries it (binary as base64). */
function image(incident: Incident): Record<string, StreamAttribute> {
  const item = marshall(incidentItem(incident, 0), { removeUndefinedValues: true });
  return JSON.parse(
    JSON.stringify(item, (_key, value) =>
      value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value,
    ),
  );
}
const inserted = (incident: Incident): StreamRecord => ({
  eventName: "INSERT",
  dynamodb: { NewImage: image(incident) },
});
function moved(incident: Incident, from: IncidentStatus, to: IncidentStatus): [StreamRecord, Incident] {
  const before = { ...incident, status: from };
  const after = { ...incident, status: to, version: incident.version + 1 };
  return [{ eventName: "MODIFY", dynamodb: { OldImage: image(before), NewImage: image(after) } }, after];
}

describe("Security Hub sync (client mock: exact parameters)", () => {
  const hub = mockClient(SecurityHubClient);
  const handlerFor = (config = on) =>
    createSecurityHubHandler(() => ({
      config,
      port: securityHubPort(new SecurityHubClient({ region: REGION })),
      region: REGION,
      logger,
    }));
  // The mock replaces every SecurityHubClient until restored: the moto suite below needs real ones.
  afterAll(() => {
    hub.restore();
  });
  beforeEach(() => {
    hub.reset();
    hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  });

  it("imports a new incident as its ASFF finding, then moves its workflow NEW → NOTIFIED → RESOLVED", async () => {
    const handler = handlerFor();
    const incident = makeIncident({ account: ACCOUNT, region: REGION });
    const asff = toValidAsff(incident, on);

    await handler({ Records: [inserted(incident)] }, CONTEXT);
    expect(hub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input)).toEqual([
      { Findings: [asff] },
    ]);
    expect(asff.Workflow).toEqual({ Status: "NEW" });
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);

    const [triage, triaged] = moved(incident, "NEW", "TRIAGED");
    const [ask, asked] = moved(triaged, "TRIAGED", "AWAITING_APPROVAL");
    const [mitigate] = moved(asked, "AWAITING_APPROVAL", "MITIGATED");
    await handler({ Records: [triage] }, CONTEXT);
    await handler({ Records: [ask] }, CONTEXT);
    await handler({ Records: [mitigate] }, CONTEXT);

    const identifiers = [{ Id: asff.Id, ProductArn: PRODUCT }];
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
    expect(hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input)).toEqual([
      {
        FindingIdentifiers: identifiers,
        Workflow: { Status: "NOTIFIED" },
        Note: { Text: "Riposte status AWAITING_APPROVAL", UpdatedBy: "riposte" },
      },
      {
        FindingIdentifiers: identifiers,
        Workflow: { Status: "RESOLVED" },
        Note: { Text: "Riposte status MITIGATED", UpdatedBy: "riposte" },
      },
    ]);
  });

  it("sends only the end state of an incident created and changed in one batch", async () => {
    const incident = makeIncident({ account: ACCOUNT, region: REGION });
    const [notify] = moved(incident, "NEW", "NOTIFIED");
    const [dismiss] = moved({ ...incident, version: 2 }, "NOTIFIED", "DISMISSED");

    await handlerFor()({ Records: [inserted(incident), notify, dismiss] }, CONTEXT);

    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
    expect(hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input.Workflow)).toEqual([
      { Status: "RESOLVED" },
    ]);
  });

  it("marks a finding an exception covers SUPPRESSED in Security Hub, naming Riposte's status", async () => {
    const incident = makeIncident({ account: ACCOUNT, region: REGION });
    const [suppress] = moved(incident, "NEW", "SUPPRESSED");

    await handlerFor()({ Records: [suppress] }, CONTEXT);

    expect(hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input)).toEqual([
      {
        FindingIdentifiers: [{ Id: toValidAsff(incident, on).Id, ProductArn: PRODUCT }],
        Workflow: { Status: "SUPPRESSED" },
        Note: { Text: "Riposte status SUPPRESSED", UpdatedBy: "riposte" },
      },
    ]);
  });

  it("imports in batches of at most 100", async () => {
    const incidents = Array.from({ length: 250 }, () => makeIncident({ account: ACCOUNT, region: REGION }));

    const result = await handlerFor()({ Records: incidents.map(inserted) }, CONTEXT);

    expect(hub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings?.length)).toEqual([
      100, 100, 50,
    ]);
    expect(result.imported).toBe(250);
  });

  it("reports the findings Security Hub refuses, and never moves a finding whose import failed", async () => {
    const refused = makeIncident({ account: ACCOUNT, region: REGION, status: "NOTIFIED" });
    const accepted = makeIncident({ account: ACCOUNT, region: REGION, status: "NOTIFIED" });
    const refusedId = toValidAsff(refused, on).Id;
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [{ Id: refusedId, ErrorCode: "InvalidInput", ErrorMessage: "Finding is invalid" }],
    });
    hub.on(BatchUpdateFindingsCommand).resolves({
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: toValidAsff(accepted, on).Id, ProductArn: PRODUCT },
          ErrorCode: "FindingNotFound",
          ErrorMessage: "not yet visible",
        },
      ],
    });
    const lines: string[] = [];
    const handler = createSecurityHubHandler(() => ({
      config: on,
      port: securityHubPort(new SecurityHubClient({ region: REGION })),
      region: REGION,
      logger: createLogger({ level: "info", sink: (line) => lines.push(line) }),
    }));

    const result = await handler({ Records: [inserted(refused), inserted(accepted)] }, CONTEXT);

    expect(result.refused).toEqual([
      {
        id: refusedId,
        incidentId: refused.id,
        operation: "BatchImportFindings",
        code: "InvalidInput",
        message: "Finding is invalid",
      },
      {
        id: toValidAsff(accepted, on).Id,
        incidentId: accepted.id,
        operation: "BatchUpdateFindings",
        code: "FindingNotFound",
        message: "not yet visible",
      },
    ]);
    expect(result).toMatchObject({ imported: 1, updated: 0 });
    expect(hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input.FindingIdentifiers)).toEqual([
      [{ Id: toValidAsff(accepted, on).Id, ProductArn: PRODUCT }],
    ]);
    expect(lines.filter((line) => line.includes("Security Hub refused a finding"))).toHaveLength(2);
  });

  it("sends nothing unless securityHub.export is on", async () => {
    const result = await handlerFor(parseConfig({}))(
      { Records: [inserted(makeIncident({ account: ACCOUNT, region: REGION }))] },
      CONTEXT,
    );

    expect(hub.calls()).toHaveLength(0);
    expect(result).toEqual({ imported: 0, updated: 0, skipped: [], refused: [] });
  });

  it("skips, saying why, an incident of another account (the default product imports only its own)", async () => {
    const other = makeIncident({ account: "210987654321", region: REGION });

    const result = await handlerFor()({ Records: [inserted(other)] }, CONTEXT);

    expect(hub.calls()).toHaveLength(0);
    expect(result.skipped).toEqual([{ incidentId: other.id, reason: expect.stringContaining("210987654321") }]);
  });

  it("reads the account from the function's ARN", () => {
    expect(accountOfFunction(CONTEXT.invokedFunctionArn)).toBe(ACCOUNT);
  });
});

// moto (5.x) implements BatchImportFindings and GetFindings but not BatchUpdateFindings: the
// workflow moves are checked with the client mock above; here, what an import stores.
describe.skipIf(!motoAvailable())("Security Hub import (moto)", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  it("stores each incident's finding, as built, once however often the stream redelivers it", async () => {
    const client = new SecurityHubClient(motoClientConfig(moto.endpoint, REGION));
    const handler = createSecurityHubHandler(() => ({
      config: on,
      port: securityHubPort(client),
      region: REGION,
      logger,
    }));
    const incidents = [
      makeIncident({ account: ACCOUNT, region: REGION }),
      makeIncident({ account: ACCOUNT, region: REGION }),
    ];

    await handler({ Records: incidents.map(inserted) }, CONTEXT);
    await handler({ Records: incidents.map(inserted) }, CONTEXT);

    const stored = (await client.send(new GetFindingsCommand({}))).Findings ?? [];
    expect(stored.map((finding) => finding.Id).sort()).toEqual(incidents.map((i) => toValidAsff(i, on).Id).sort());
    for (const finding of stored) {
      expect(finding).toMatchObject({ ProductArn: PRODUCT, AwsAccountId: ACCOUNT, Workflow: { Status: "NEW" } });
    }
  });
});
