import { createSignal, For, Show } from "solid-js";
import { useApp } from "../context.js";
import type { AuditFormat } from "../lib/api.js";
import { auditFileName, saveBlob } from "../lib/download.js";

/** Download an incident's audit trail as JSON or CSV (authenticated fetch, then save). */
export function ExportButtons(props: {
  incidentId: string;
  /** Short buttons for table cells; `label` names the incident for screen readers. */
  compact?: boolean;
  label?: string;
  save?: (blob: Blob, name: string) => void;
}) {
  const app = useApp();
  const [error, setError] = createSignal<string>();
  const [busy, setBusy] = createSignal(false);
  const download = async (format: AuditFormat) => {
    setBusy(true);
    setError(undefined);
    try {
      const blob = await app.api.exportAudit(props.incidentId, format);
      (props.save ?? saveBlob)(blob, auditFileName(props.incidentId, format));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="button-row">
      <For each={["json", "csv"] as const}>
        {(format) => (
          <button
            type="button"
            class="button"
            classList={{ small: props.compact }}
            disabled={busy()}
            aria-label={
              props.compact
                ? `Export audit trail of ${props.label ?? props.incidentId} as ${format.toUpperCase()}`
                : undefined
            }
            onClick={() => download(format)}
          >
            {props.compact ? format.toUpperCase() : `Export audit (${format.toUpperCase()})`}
          </button>
        )}
      </For>
      <Show when={error()}>
        <span class="error-text" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}
