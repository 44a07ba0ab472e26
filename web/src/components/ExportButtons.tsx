import { createSignal, Show } from "solid-js";
import { useApp } from "../context.js";
import type { AuditFormat } from "../lib/api.js";
import { auditFileName, saveBlob } from "../lib/download.js";

/** Download an incident's audit trail as JSON or CSV (authenticated fetch, then save). */
export function ExportButtons(props: { incidentId: string; save?: (blob: Blob, name: string) => void }) {
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
      <button type="button" class="button" disabled={busy()} onClick={() => download("json")}>
        Export audit (JSON)
      </button>
      <button type="button" class="button" disabled={busy()} onClick={() => download("csv")}>
        Export audit (CSV)
      </button>
      <Show when={error()}>
        <span class="error-text" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}
