import { A, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from "solid-js";
import type { IncidentSummary } from "../../../core/model/incident.js";
import { SeverityBadge, StatusBadge } from "../components/Badges.js";
import { ExportButtons } from "../components/ExportButtons.js";
import { useApp } from "../context.js";
import { type DecisionRow, decisionRow, mapLimited, matchesDecision } from "../lib/decisions.js";
import { DEFAULT_FILTER, TIME_RANGE_LABELS, type TimeRange, timeBounds } from "../lib/filters.js";
import { formatTime, humanize } from "../lib/format.js";

/** Statuses at which a decision has been taken (routed, approved, rejected or applied). */
const DECIDED = new Set([
  "AWAITING_APPROVAL",
  "PROCESSING",
  "MITIGATED",
  "DISMISSED",
  "FAILED",
  "NOTIFIED",
  "RESOLVED",
  "SUPPRESSED",
]);
/** How many incidents' decisions are loaded for search; the page says when there are more. */
export const DECISION_LIMIT = 300;
const RANGES: TimeRange[] = ["24h", "7d", "30d", "any"];
const PAGE = 25;

/**
 * Auditor view: search incidents (server-side, across title, summary, principal, resource and
 * IP) and decisions (route and reason, approvers and their comments, applied actions) in a
 * time window, and export any incident's audit trail.
 */
export function AuditPage() {
  const app = useApp();
  const [params, setParams] = useSearchParams<{ q?: string; range?: string }>();
  const query = () => (typeof params.q === "string" ? params.q : "");
  const range = (): TimeRange =>
    (RANGES as string[]).includes(params.range ?? "") ? (params.range as TimeRange) : "7d";
  const [draft, setDraft] = createSignal(query());

  // Incidents: the API's own search, page by page.
  const [found, setFound] = createSignal<IncidentSummary[]>([]);
  const [cursor, setCursor] = createSignal<string>();
  const [searchError, setSearchError] = createSignal<string>();
  const [searching, setSearching] = createSignal(false);
  let generation = 0;
  const search = async (more = false) => {
    const mine = more ? generation : ++generation;
    setSearching(true);
    setSearchError(undefined);
    try {
      const since = timeBounds({ ...DEFAULT_FILTER, range: range() }, app.now()).since;
      const page = await app.api.listIncidents({
        q: query() || undefined,
        since,
        limit: 100,
        cursor: more ? cursor() : undefined,
      });
      if (mine !== generation) return;
      setFound(more ? [...found(), ...page.items] : page.items);
      setCursor(page.nextCursor);
    } catch (error) {
      if (mine === generation) setSearchError(error instanceof Error ? error.message : String(error));
    } finally {
      if (mine === generation) setSearching(false);
    }
  };

  // Decisions: details of the decided incidents in the window, newest first, then searched here.
  const [rows, setRows] = createSignal<DecisionRow[]>([]);
  const [loaded, setLoaded] = createSignal(0);
  const [candidates, setCandidates] = createSignal(0);
  const [decisionError, setDecisionError] = createSignal<string>();
  let decisionRun = 0;
  const loadDecisions = async () => {
    const mine = ++decisionRun;
    const since = timeBounds({ ...DEFAULT_FILTER, range: range() }, app.now()).since;
    const ids = app.incidents
      .raw()
      .filter((item) => DECIDED.has(item.status) && (!since || item.createdAt >= since))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
      .map((item) => item.id);
    setCandidates(ids.length);
    setLoaded(0);
    setRows([]);
    setDecisionError(undefined);
    const picked = ids.slice(0, DECISION_LIMIT);
    // Rows appear as their details arrive, kept in newest-first order.
    const slots: (DecisionRow | undefined)[] = new Array(picked.length);
    await mapLimited(picked, 4, async (id) => {
      if (mine !== decisionRun) return;
      try {
        const detail = await app.api.getIncident(id);
        if (mine !== decisionRun) return;
        slots[picked.indexOf(id)] = decisionRow(detail.incident);
        setLoaded((count) => count + 1);
        setRows(slots.filter((row): row is DecisionRow => row !== undefined));
      } catch (error) {
        if (mine === decisionRun) setDecisionError(error instanceof Error ? error.message : String(error));
      }
    });
  };
  const matchingRows = createMemo(() => rows().filter((row) => matchesDecision(row, query())));
  // Long result lists are shown a page at a time; the count above says how many match.
  const [shown, setShown] = createSignal(PAGE);
  createEffect(on([query, range], () => setShown(PAGE)));

  createEffect(on([query, range], () => void search()));
  // Decisions load once the incident store has synced, and again when the window changes.
  createEffect(
    on([range, () => app.incidents.state.syncedAt], ([, syncedAt]) => {
      if (syncedAt) void loadDecisions();
    }),
  );
  onCleanup(() => {
    generation++;
    decisionRun++;
  });

  return (
    <section class="page audit-page" aria-labelledby="audit-heading">
      <header class="page-header">
        <h1 id="audit-heading">Audit</h1>
        <p class="muted">Search incidents and the decisions taken on them; export any incident's audit trail.</p>
      </header>
      <form
        class="filters"
        aria-label="Search incidents and decisions"
        onSubmit={(event) => {
          event.preventDefault();
          setParams({ q: draft().trim() || undefined }, { replace: true });
        }}
      >
        <div class="filter-row">
          <label class="field grow">
            <span>Search</span>
            <input
              type="search"
              name="q"
              placeholder="principal, resource, approver, comment, reason…"
              value={draft()}
              onInput={(event) => setDraft(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Period</span>
            <select
              value={range()}
              onChange={(event) => setParams({ range: event.currentTarget.value }, { replace: true })}
            >
              <For each={RANGES}>{(value) => <option value={value}>{TIME_RANGE_LABELS[value]}</option>}</For>
            </select>
          </label>
          <button type="submit" class="button primary">
            Search
          </button>
        </div>
      </form>

      <section class="section" aria-labelledby="decisions-heading">
        <h2 id="decisions-heading">Decisions</h2>
        <p class="muted" aria-live="polite">
          {matchingRows().length} matching of {rows().length} loaded
          <Show when={loaded() < Math.min(candidates(), DECISION_LIMIT)}>
            {" "}
            · loading {loaded()} / {Math.min(candidates(), DECISION_LIMIT)}…
          </Show>
          <Show when={candidates() > DECISION_LIMIT}>
            {" "}
            · the {DECISION_LIMIT} most recent of {candidates()} decided incidents are searched; narrow the period for
            older ones
          </Show>
        </p>
        <Show when={decisionError()}>
          <p class="error-text">Some incidents could not be loaded: {decisionError()}</p>
        </Show>
        <Show when={matchingRows().length} fallback={<p class="muted">No decisions match.</p>}>
          <div class="table-scroll">
            <table class="table decisions">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Route and reason</th>
                  <th scope="col">Approvals</th>
                  <th scope="col">Applied</th>
                  <th scope="col">Audit trail</th>
                </tr>
              </thead>
              <tbody>
                <For each={matchingRows().slice(0, shown())}>
                  {(row) => (
                    <tr>
                      <td>
                        <A href={`/incidents/${encodeURIComponent(row.id)}`}>{row.title}</A>
                        <div class="badges">
                          <SeverityBadge severity={row.severity} /> <StatusBadge status={row.status} />
                        </div>
                        <div class="muted">{formatTime(row.createdAt)}</div>
                      </td>
                      <td>
                        <Show when={row.route} fallback={<span class="muted">—</span>}>
                          <span class="badge route" data-route={row.route}>
                            {humanize(row.route ?? "")}
                          </span>{" "}
                          {row.reason}
                        </Show>
                      </td>
                      <td>
                        <For each={row.approvals} fallback={<span class="muted">none</span>}>
                          {(approval) => (
                            <div class="break">
                              <span class="badge decision" data-decision={approval.decision}>
                                {approval.decision}
                              </span>{" "}
                              {approval.approver} via {approval.via}, {formatTime(approval.at)}
                              <Show when={approval.comment}>
                                <div class="muted">“{approval.comment}”</div>
                              </Show>
                            </div>
                          )}
                        </For>
                      </td>
                      <td>
                        <For each={row.actions} fallback={<span class="muted">nothing</span>}>
                          {(action) => (
                            <div>
                              <span class="badge outcome" data-outcome={action.outcome}>
                                {action.outcome}
                              </span>{" "}
                              {action.description}
                            </div>
                          )}
                        </For>
                      </td>
                      <td>
                        <ExportButtons incidentId={row.id} compact label={row.title} />
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <Show when={matchingRows().length > shown()}>
            <button type="button" class="button" onClick={() => setShown(shown() + PAGE)}>
              Show {Math.min(PAGE, matchingRows().length - shown())} more
            </button>
          </Show>
        </Show>
      </section>

      <section class="section" aria-labelledby="found-heading">
        <h2 id="found-heading">Incidents</h2>
        <Show when={searchError()}>
          <p class="error-text" role="alert">
            {searchError()}
          </p>
        </Show>
        <Show
          when={found().length}
          fallback={<p class="muted">{searching() ? "Searching…" : "No incidents match."}</p>}
        >
          <div class="table-scroll">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Incident</th>
                  <th scope="col">Status</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                <For each={found()}>
                  {(item) => (
                    <tr>
                      <td>
                        <SeverityBadge severity={item.severity} />{" "}
                        <A href={`/incidents/${encodeURIComponent(item.id)}`}>{item.title}</A>
                      </td>
                      <td>
                        <StatusBadge status={item.status} />
                      </td>
                      <td class="break">{item.principal}</td>
                      <td class="break mono">{item.resource}</td>
                      <td>{formatTime(item.createdAt)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <Show when={cursor()}>
            <button type="button" class="button" disabled={searching()} onClick={() => void search(true)}>
              Load more
            </button>
          </Show>
        </Show>
      </section>
    </section>
  );
}
