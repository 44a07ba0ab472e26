import { describe, expect, it } from "vitest";
import { ACCOUNT, iam } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { findingFromEvent } from "../stateless.js";
import { federationProviderChanged } from "./federation-provider-changed.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;
const find = (record: unknown) => findingFromEvent("federation-provider-changed", envelopeOf(record), config);
const SAML_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`;
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

describe("federation-provider-changed", () => {
  it("names the provider by its ARN: from the request, else from a create call's response", () => {
    const deleted = find(iam("DeleteSAMLProvider", { sAMLProviderArn: SAML_ARN }));
    const created = find(
      iam("CreateOpenIDConnectProvider", { url: "https://oidc.example.com" }, { openIDConnectProviderArn: OIDC_ARN }),
    );

    expect(deleted?.resource).toBe(SAML_ARN);
    expect(deleted?.facts).toMatchObject({
      eventName: "DeleteSAMLProvider",
      providerType: "SAML",
      providerArn: SAML_ARN,
    });
    expect(created?.facts).toMatchObject({ providerType: "OIDC", providerArn: OIDC_ARN });
    expect(created?.summary).toBe(
      `arn:aws:iam::${ACCOUNT}:user/alice created the OpenID Connect identity provider ${OIDC_ARN}`,
    );
  });

  it("reads the member names in any casing, and falls back to the provider's name or URL", () => {
    expect(find(iam("UpdateSAMLProvider", { SAMLProviderArn: SAML_ARN }))?.facts).toMatchObject({
      providerArn: SAML_ARN,
    });
    expect(find(iam("CreateSAMLProvider", { name: "Okta" }))?.facts).toMatchObject({ providerName: "Okta" });
    expect(find(iam("CreateOpenIDConnectProvider", { url: "https://oidc.example.com" }))?.facts).toMatchObject({
      providerUrl: "https://oidc.example.com",
    });
  });

  it("names the client id a call added", () => {
    const finding = find(
      iam("AddClientIDToOpenIDConnectProvider", { openIDConnectProviderArn: OIDC_ARN, clientID: "evil" }),
    );

    expect(finding?.facts).toMatchObject({ providerArn: OIDC_ARN, clientId: "evil" });
    expect(finding?.summary).toMatch(
      /added a client id to the OpenID Connect identity provider .+ \(client id evil\)$/,
    );
  });

  it.each([null, "x", { sAMLProviderArn: 5 }, { openIDConnectProviderArn: ["a"] }])(
    "does not throw, and still reports the call, on request parameters %j",
    (requestParameters) => {
      for (const eventName of ["DeleteSAMLProvider", "UpdateOpenIDConnectProviderThumbprint"]) {
        const draft = federationProviderChanged.evaluate(envelopeOf(iam(eventName, requestParameters)), config);
        expect(draft?.resource).toBe("identity-provider");
      }
    },
  );
});
