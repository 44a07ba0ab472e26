import { For, Show } from "solid-js";
import type { IncidentAuditEntry } from "../../../../core/model/api.js";
import { formatTime } from "../../lib/format.js";
import { ExportButtons } from "../ExportButtons.js";
import { JsonBlock } from "../JsonBlock.js";

/** The incident's audit trail, oldest first, with JSON and CSV export. */
export function AuditTrail(props: { incidentId: string; entries: IncidentAuditEntry[] }) {
  return (
    <div class="stack">
      <ExportButtons incidentId={props.incidentId} />
      <Show when={props.entries.length} fallback={<p class="muted">No audit entries.</p>}>
        <table class="table audit">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.entries}>
              {(entry) => (
                <tr>
                  <td>
                    <time datetime={entry.at}>{formatTime(entry.at)}</time>
                  </td>
                  <td class="break">{entry.actor}</td>
                  <td class="mono">{entry.action}</td>
                  <td>
                    <Show when={entry.detail}>{(detail) => <JsonBlock label="detail" value={detail()} />}</Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </div>
  );
}
