import { createMemo, For, Show } from "solid-js";
import type { HistoryEvent } from "../../../../core/model/history.js";
import { formatOffset, formatTime } from "../../lib/format.js";
import { describeHistory } from "../../lib/history.js";
import { JsonBlock } from "../JsonBlock.js";

/** Every execution history event in order, with the state it belongs to and its payload. */
export function ExecutionTimeline(props: { history: HistoryEvent[]; startDate: string }) {
  const entries = createMemo(() => describeHistory(props.history));
  return (
    <Show when={entries().length} fallback={<p class="muted">No history recorded.</p>}>
      <ol class="timeline">
        <For each={entries()}>
          {(entry) => (
            <li data-tone={entry.tone} data-type={entry.type}>
              <span class="timeline-time" title={formatTime(entry.at)}>
                {formatOffset(props.startDate, entry.at)}
              </span>
              <span class="timeline-type mono">{entry.type}</span>
              <Show when={entry.state}>
                <span class="timeline-state">{entry.state}</span>
              </Show>
              <Show when={entry.error || entry.cause}>
                <p class="error-text">
                  {entry.error}
                  <Show when={entry.cause}>{(cause) => <span class="muted"> — {cause()}</span>}</Show>
                </p>
              </Show>
              <Show when={entry.data}>{(data) => <JsonBlock label={data().label} value={data().value} />}</Show>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
