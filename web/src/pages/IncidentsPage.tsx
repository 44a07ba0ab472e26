import { useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, on, Show } from "solid-js";
import { IncidentFilters } from "../components/IncidentFilters.js";
import { IncidentList } from "../components/IncidentList.js";
import { useApp } from "../context.js";
import { createMatcher, filterToParams, type IncidentFilter, parseFilter, sortIncidents } from "../lib/filters.js";

/** The live incident feed: filters in the URL, a virtualised list fed by the live store. */
export function IncidentsPage() {
  const app = useApp();
  const [params, setParams] = useSearchParams();
  // The filter lives here and is mirrored to the URL. URL updates land asynchronously, so
  // reading the filter back from the URL would drop the first of two quick clicks; the URL is
  // only adopted when it changes by itself (back/forward, a link from the overview).
  const [filter, setFilterSignal] = createSignal(parseFilter(params));
  const pendingWrites: string[] = [];
  const serialise = (value: IncidentFilter) => JSON.stringify(filterToParams(value));
  createEffect(
    on(
      () => serialise(parseFilter(params)),
      (fromUrl) => {
        const index = pendingWrites.indexOf(fromUrl);
        if (index >= 0) pendingWrites.splice(0, index + 1);
        else if (fromUrl !== serialise(filter())) setFilterSignal(parseFilter(params));
      },
      { defer: true },
    ),
  );
  const setFilter = (next: IncidentFilter) => {
    setFilterSignal(next);
    pendingWrites.push(serialise(next));
    setParams(filterToParams(next), { replace: true });
  };

  // Filtering reads raw objects (no proxy tracking per field); `revision` says when to redo it.
  const ids = createMemo(() => {
    app.incidents.revision();
    const current = filter();
    const match = createMatcher(current, app.now());
    const matching = app.incidents.raw().filter(match);
    return sortIncidents(matching, current.sort, current.direction).map((item) => item.id);
  });
  const total = () => {
    app.incidents.revision();
    return app.incidents.raw().length;
  };

  return (
    <section class="page incidents-page" aria-labelledby="incidents-heading">
      <header class="page-header">
        <h1 id="incidents-heading">Incidents</h1>
        <p class="muted">
          Showing {ids().length.toLocaleString("en")} of {total().toLocaleString("en")}
          <Show when={app.incidents.state.syncing}> · syncing…</Show>
          <Show when={app.incidents.state.error}>{(error) => <span class="error-text"> · {error()}</span>}</Show>
        </p>
      </header>
      <IncidentFilters filter={filter()} onChange={setFilter} />
      <IncidentList ids={ids()} row={(id) => app.incidents.get(id)} now={app.now()} total={total()} />
    </section>
  );
}
