import { For, Show } from "solid-js";
import type { Incident } from "../../../../core/model/incident.js";
import { formatTime } from "../../lib/format.js";
import { Facts } from "../Facts.js";

/** Who did it, from where, to what: the principal, the source (with location) and the resource. */
export function ContextFacts(props: { incident: Incident }) {
  const principal = () => props.incident.enrichment?.principal;
  const source = () => props.incident.enrichment?.source;
  const resource = () => props.incident.enrichment?.resource;
  const location = () => {
    const geo = source()?.geo;
    if (!geo) return undefined;
    const place = [geo.city, geo.countryName ?? geo.country].filter(Boolean).join(", ");
    const coordinates =
      geo.latitude !== undefined && geo.longitude !== undefined
        ? ` (${geo.latitude.toFixed(2)}, ${geo.longitude.toFixed(2)})`
        : "";
    return place ? `${place}${coordinates}` : undefined;
  };
  const network = () => {
    const geo = source()?.geo;
    if (!geo?.asn && !geo?.asOrg) return undefined;
    return [geo.asn ? `AS${geo.asn}` : "", geo.asOrg ?? ""].filter(Boolean).join(" ");
  };
  return (
    <div class="grid-3">
      <section aria-labelledby="principal-heading" class="card">
        <h3 id="principal-heading">Principal</h3>
        <Facts
          facts={[
            ["Identity", <span class="mono break">{props.incident.principal || "unknown"}</span>],
            ["Type", principal()?.type],
            ["Name", principal()?.name],
            ["Account", principal()?.account ?? props.incident.account],
            ["MFA", principal()?.mfa],
            ["First seen", principal()?.firstSeen ? formatTime(principal()?.firstSeen) : undefined],
            ["New source IP", principal()?.newIp],
            ["New device", principal()?.newDevice],
            ["New network (ASN)", principal()?.newAsn],
            ["Known devices", principal()?.knownDevices],
            ["Earlier incidents", principal()?.priorIncidents],
          ]}
        />
      </section>
      <section aria-labelledby="source-heading" class="card">
        <h3 id="source-heading">Source</h3>
        <Facts
          empty="No source address."
          facts={[
            ["IP", <span class="mono">{source()?.ip ?? props.incident.sourceIp}</span>],
            ["Kind", source()?.kind],
            ["Trusted network", source()?.trusted],
            ["Location", location()],
            ["Network", network()],
            [
              "User agent",
              props.incident.userAgent ? <span class="mono break">{props.incident.userAgent}</span> : undefined,
            ],
          ]}
        />
      </section>
      <section aria-labelledby="resource-heading" class="card">
        <h3 id="resource-heading">Resource</h3>
        <Facts
          empty="No resource."
          facts={[
            [
              "Resource",
              props.incident.resource ? <span class="mono break">{props.incident.resource}</span> : undefined,
            ],
            ["Type", resource()?.type],
            ["Production", resource()?.production],
            ["Protected", resource()?.protected],
            ["Account / region", `${props.incident.account} / ${props.incident.region}`],
          ]}
        />
        <Show when={Object.keys(resource()?.tags ?? {}).length > 0}>
          <h4>Tags</h4>
          <ul class="tags">
            <For each={Object.entries(resource()?.tags ?? {})}>
              {([key, value]) => (
                <li>
                  <span class="mono">{key}</span>=<span class="mono">{value}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
    </div>
  );
}
