import { createMemo, Show } from "solid-js";
import { prettyJson } from "../lib/format.js";

/** Past this, raw JSON is cut for display (the full record stays in the audit export). */
const MAX_CHARS = 200_000;

/**
 * Raw JSON, collapsible, always rendered as text: evidence is attacker-controlled and must
 * never become markup.
 */
export function JsonBlock(props: { label: string; value: unknown; open?: boolean }) {
  const text = createMemo(() => prettyJson(props.value));
  return (
    <details class="json" open={props.open}>
      <summary>{props.label}</summary>
      <pre>
        <code>{text().length > MAX_CHARS ? `${text().slice(0, MAX_CHARS)}\n…` : text()}</code>
      </pre>
      <Show when={text().length > MAX_CHARS}>
        <p class="muted">Shown in part ({text().length.toLocaleString("en")} characters).</p>
      </Show>
    </details>
  );
}
