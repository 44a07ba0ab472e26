import { A } from "@solidjs/router";
import { createMemo, For, type JSX, Show } from "solid-js";

export interface CountRow {
  key: string;
  count: number;
  /** Where clicking the row goes (a filtered incident list). */
  href?: string;
  label?: JSX.Element;
}

/** A ranked list of counts with proportional bars; rows link to the matching incidents. */
export function CountBars(props: { rows: CountRow[]; empty?: string; ariaLabel: string }) {
  const max = createMemo(() => Math.max(1, ...props.rows.map((row) => row.count)));
  return (
    <Show when={props.rows.length} fallback={<p class="muted">{props.empty ?? "None."}</p>}>
      <ul class="count-bars" aria-label={props.ariaLabel}>
        <For each={props.rows}>
          {(row) => {
            const content = (
              <>
                <span class="count-label truncate" title={row.key}>
                  {row.label ?? row.key}
                </span>
                <span class="count-value">{row.count.toLocaleString("en")}</span>
                <span class="count-bar" aria-hidden="true" style={{ width: `${(row.count / max()) * 100}%` }} />
              </>
            );
            return <li>{row.href ? <A href={row.href}>{content}</A> : <div>{content}</div>}</li>;
          }}
        </For>
      </ul>
    </Show>
  );
}
