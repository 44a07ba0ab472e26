import { For, onCleanup, Show } from "solid-js";
import { CATEGORIES, SEVERITIES } from "../../../core/model/catalog.js";
import { INCIDENT_STATUSES } from "../../../core/model/status.js";
import {
  type IncidentFilter,
  isFiltered,
  SORT_KEYS,
  SORT_LABELS,
  type SortKey,
  TIME_RANGE_LABELS,
  TIME_RANGES,
  type TimeRange,
} from "../lib/filters.js";
import { humanize } from "../lib/format.js";

/** `datetime-local` values are local time without a zone; convert to and from ISO. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function ChipGroup<T extends string>(props: {
  legend: string;
  values: readonly T[];
  selected: readonly T[];
  onToggle: (value: T) => void;
  kind: string;
}) {
  return (
    <fieldset class="chips">
      <legend>{props.legend}</legend>
      <For each={props.values}>
        {(value) => (
          <button
            type="button"
            class="chip"
            data-kind={props.kind}
            data-value={value}
            aria-pressed={props.selected.includes(value)}
            onClick={() => props.onToggle(value)}
          >
            {humanize(value)}
          </button>
        )}
      </For>
    </fieldset>
  );
}

/** Filter and sort controls for the incident list. */
export function IncidentFilters(props: { filter: IncidentFilter; onChange: (filter: IncidentFilter) => void }) {
  const toggle = <K extends "status" | "category" | "severity">(key: K, value: IncidentFilter[K][number]) => {
    const current = props.filter[key] as string[];
    const next = current.includes(value) ? current.filter((item) => item !== value) : [...current, value];
    props.onChange({ ...props.filter, [key]: next });
  };
  // Typing filters after a short pause, so each keystroke does not rewrite the URL.
  let typing: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(typing));
  const onSearch = (value: string) => {
    clearTimeout(typing);
    typing = setTimeout(() => props.onChange({ ...props.filter, q: value }), 150);
  };

  return (
    <form class="filters" aria-label="Filter incidents" onSubmit={(event) => event.preventDefault()}>
      <div class="filter-row">
        <label class="field grow">
          <span>Search</span>
          <input
            type="search"
            placeholder="title, principal, resource, IP, id…"
            value={props.filter.q}
            onInput={(event) => onSearch(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Time</span>
          <select
            value={props.filter.range}
            onChange={(event) => props.onChange({ ...props.filter, range: event.currentTarget.value as TimeRange })}
          >
            <For each={TIME_RANGES}>{(range) => <option value={range}>{TIME_RANGE_LABELS[range]}</option>}</For>
          </select>
        </label>
        <Show when={props.filter.range === "custom"}>
          <label class="field">
            <span>From</span>
            <input
              type="datetime-local"
              value={toLocalInput(props.filter.since)}
              onChange={(event) =>
                props.onChange({ ...props.filter, since: fromLocalInput(event.currentTarget.value) })
              }
            />
          </label>
          <label class="field">
            <span>To</span>
            <input
              type="datetime-local"
              value={toLocalInput(props.filter.until)}
              onChange={(event) =>
                props.onChange({ ...props.filter, until: fromLocalInput(event.currentTarget.value) })
              }
            />
          </label>
        </Show>
        <label class="field">
          <span>Sort by</span>
          <select
            value={props.filter.sort}
            onChange={(event) => props.onChange({ ...props.filter, sort: event.currentTarget.value as SortKey })}
          >
            <For each={SORT_KEYS}>{(key) => <option value={key}>{SORT_LABELS[key]}</option>}</For>
          </select>
        </label>
        <button
          type="button"
          class="button"
          title="Change the sort direction"
          onClick={() =>
            props.onChange({ ...props.filter, direction: props.filter.direction === "desc" ? "asc" : "desc" })
          }
        >
          <span aria-hidden="true">{props.filter.direction === "desc" ? "↓ " : "↑ "}</span>
          {props.filter.direction === "desc" ? "Descending" : "Ascending"}
        </button>
        <Show when={isFiltered(props.filter)}>
          <button
            type="button"
            class="button subtle"
            onClick={() =>
              props.onChange({ ...props.filter, status: [], category: [], severity: [], range: "any", q: "" })
            }
          >
            Clear filters
          </button>
        </Show>
      </div>
      <ChipGroup
        legend="Status"
        kind="status"
        values={INCIDENT_STATUSES}
        selected={props.filter.status}
        onToggle={(value) => toggle("status", value)}
      />
      <div class="filter-row">
        <ChipGroup
          legend="Severity"
          kind="severity"
          values={SEVERITIES}
          selected={props.filter.severity}
          onToggle={(value) => toggle("severity", value)}
        />
        <ChipGroup
          legend="Category"
          kind="category"
          values={CATEGORIES}
          selected={props.filter.category}
          onToggle={(value) => toggle("category", value)}
        />
      </div>
    </form>
  );
}
