import { A, useNavigate } from "@solidjs/router";
import { createVirtualizer } from "@tanstack/solid-virtual";
import { For, Show } from "solid-js";
import type { IncidentSummary } from "../../../core/model/incident.js";
import { formatRelative, formatTime } from "../lib/format.js";
import { SeverityBadge, StatusBadge } from "./Badges.js";

export const ROW_HEIGHT = 64;

/**
 * The incident list, virtualised: only the rows in view (plus a few) are in the DOM, so 10,000
 * incidents scroll as smoothly as 10. Rows read the live store (`row(id)`), so a status change
 * repaints one badge without rebuilding the list. Arrow keys, Home/End and Page keys move
 * between rows; Enter opens one.
 */
export function IncidentList(props: {
  /** Ids in display order (already filtered and sorted). */
  ids: readonly string[];
  row: (id: string) => IncidentSummary | undefined;
  now: number;
  total: number;
}) {
  let viewport: HTMLDivElement | undefined;
  const navigate = useNavigate();
  const virtualizer = createVirtualizer({
    get count() {
      return props.ids.length;
    },
    getScrollElement: () => viewport ?? null,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => props.ids[index] ?? index,
  });

  const focusRow = (index: number) => {
    const target = Math.max(0, Math.min(props.ids.length - 1, index));
    virtualizer.scrollToIndex(target, { align: "auto" });
    // The row may only exist after the virtualiser renders the new range.
    requestAnimationFrame(() => viewport?.querySelector<HTMLElement>(`[data-index="${target}"] a`)?.focus());
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const active = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    const index = active ? Number(active.dataset.index) : -1;
    const page = Math.max(1, Math.floor((viewport?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: props.ids.length - 1,
    };
    if (event.key in moves && props.ids.length) {
      event.preventDefault();
      focusRow(moves[event.key]!);
    }
  };

  return (
    <div class="incident-list">
      <Show when={props.ids.length === 0}>
        <p class="empty">{props.total ? "No incident matches these filters." : "No incidents yet."}</p>
      </Show>
      <div ref={viewport} class="viewport" data-testid="incident-viewport">
        <ul
          class="viewport-inner"
          aria-label="Incidents"
          onKeyDown={onKeyDown}
          style={{ height: `${virtualizer.getTotalSize()}px` }}
        >
          <For each={virtualizer.getVirtualItems()}>
            {(item) => {
              const id = () => props.ids[item.index] ?? "";
              const incident = () => props.row(id());
              return (
                <Show when={incident()}>
                  {(row) => (
                    <li
                      class="row"
                      data-index={item.index}
                      data-id={id()}
                      aria-setsize={props.ids.length}
                      aria-posinset={item.index + 1}
                      style={{ transform: `translateY(${item.start}px)`, height: `${ROW_HEIGHT}px` }}
                    >
                      <A
                        href={`/incidents/${encodeURIComponent(id())}`}
                        class="row-link"
                        onKeyDown={(event) => {
                          if (event.key === " ") {
                            event.preventDefault();
                            navigate(`/incidents/${encodeURIComponent(id())}`);
                          }
                        }}
                      >
                        <span class="row-main">
                          <SeverityBadge severity={row().severity} />
                          <span class="row-title">{row().title}</span>
                          <StatusBadge status={row().status} />
                        </span>
                        <span class="row-meta">
                          <span class="mono">{row().detection}</span>
                          <span class="truncate" title={row().principal}>
                            {row().principal || "unknown principal"}
                          </span>
                          <Show when={row().resource}>
                            <span class="truncate mono" title={row().resource}>
                              {row().resource}
                            </span>
                          </Show>
                          <Show when={row().sourceIp}>
                            <span class="mono">{row().sourceIp}</span>
                          </Show>
                          <Show when={row().score !== undefined}>
                            <span>score {row().score}</span>
                          </Show>
                          <time datetime={row().createdAt} title={formatTime(row().createdAt)}>
                            {formatRelative(row().createdAt, props.now)}
                          </time>
                        </span>
                      </A>
                    </li>
                  )}
                </Show>
              );
            }}
          </For>
        </ul>
      </div>
    </div>
  );
}
