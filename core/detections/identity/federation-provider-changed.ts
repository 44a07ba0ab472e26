import { declareDetection, request, response } from "../declare.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";

const SAML_CALLS = ["CreateSAMLProvider", "UpdateSAMLProvider", "DeleteSAMLProvider"];
const OIDC_CALLS = [
  "CreateOpenIDConnectProvider",
  "UpdateOpenIDConnectProviderThumbprint",
  "AddClientIDToOpenIDConnectProvider",
];

/**
 * A string member of an object whose name matches case-insensitively: CloudTrail lower-cases the
 * first letter of IAM's member names (`sAMLProviderArn`, `openIDConnectProviderArn`), re-exports
 * sometimes do more.
 */
function member(value: unknown, name: string): string {
  if (!isObject(value)) return "";
  const wanted = name.toLowerCase();
  for (const [key, entry] of Object.entries(value)) {
    if (key.toLowerCase() === wanted && typeof entry === "string") return entry;
  }
  return "";
}

/** The provider the call acted on: its ARN (request, else response), else its name or URL. */
function providerOf(record: Json): { providerArn?: string; providerName?: string; providerUrl?: string } {
  const arnKey = SAML_CALLS.includes(str(record.eventName)) ? "SAMLProviderArn" : "OpenIDConnectProviderArn";
  const providerArn = member(request(record), arnKey) || member(response(record), arnKey);
  if (providerArn) return { providerArn };
  const providerName = member(request(record), "name");
  if (providerName) return { providerName };
  const providerUrl = member(request(record), "url");
  return providerUrl ? { providerUrl } : {};
}

const VERBS: Record<string, string> = {
  CreateSAMLProvider: "created the SAML identity provider",
  UpdateSAMLProvider: "replaced the metadata of the SAML identity provider",
  DeleteSAMLProvider: "deleted the SAML identity provider",
  CreateOpenIDConnectProvider: "created the OpenID Connect identity provider",
  UpdateOpenIDConnectProviderThumbprint: "replaced the certificate thumbprints of the OpenID Connect identity provider",
  AddClientIDToOpenIDConnectProvider: "added a client id to the OpenID Connect identity provider",
};

export const federationProviderChanged = declareDetection({
  id: "federation-provider-changed",
  title: "Federated identity provider changed",
  category: "identity",
  severity: "high",
  attack: { id: "T1484.002", name: "Domain or Tenant Policy Modification: Trust Modification" },
  asff: ["TTPs/Privilege Escalation", "TTPs/Defense Evasion"],
  description:
    "An IAM SAML provider was created, updated or deleted (CreateSAMLProvider, UpdateSAMLProvider, DeleteSAMLProvider), or an OpenID Connect provider was created or its trust widened (CreateOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint, AddClientIDToOpenIDConnectProvider).",
  why: "An identity provider decides who may sign in through federation: an attacker who adds one, or swaps a provider's signing metadata or certificate thumbprints, can mint sign-ins to every role that trusts it, without any IAM user or key; deleting one locks out the people who rely on it.",
  tuning:
    "Setting up or rotating single sign-on (a new IdP certificate, an EKS cluster's or CI's OIDC provider) fires too: acknowledge it. Removing client ids or deleting OIDC providers only narrows trust and is not watched. Notify only.",
  response: { mode: "notify" },
  calls: [{ source: "aws.iam", names: [...SAML_CALLS, ...OIDC_CALLS] }],
  match: (record) => {
    const eventName = str(record.eventName);
    const provider = providerOf(record);
    const label = provider.providerArn ?? provider.providerName ?? provider.providerUrl ?? "";
    const clientId = member(request(record), "clientID");
    return {
      resource: label || "identity-provider",
      summary: `${quote(principalOf(record) || "an unknown principal")} ${VERBS[eventName] ?? "changed the identity provider"} ${quote(label || "(not logged)", 120)}${clientId ? ` (client id ${quote(clientId, 64)})` : ""}`,
      facts: {
        ...identityFacts(record),
        eventName,
        providerType: SAML_CALLS.includes(eventName) ? "SAML" : "OIDC",
        ...provider,
        ...(clientId ? { clientId } : {}),
      },
    };
  },
});
