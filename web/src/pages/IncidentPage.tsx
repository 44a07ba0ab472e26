import { A, useParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import type { IncidentDetailResponse } from "../../../core/model/api.js";
import { ModeTag, SeverityBadge, StatusBadge } from "../components/Badges.js";
import { ActionsSection } from "../components/incident/ActionsSection.js";
import { ApprovalPanel } from "../components/incident/ApprovalPanel.js";
import { AuditTrail } from "../components/incident/AuditTrail.js";
import { ContextFacts } from "../components/incident/ContextFacts.js";
import { ExecutionTimeline } from "../components/incident/ExecutionTimeline.js";
import { ApprovalsList, TransitionsList } from "../components/incident/Records.js";
import { ScoreBreakdown } from "../components/incident/ScoreBreakdown.js";
import { StateMachineGraph } from "../components/incident/StateMachineGraph.js";
import { SuppressedNotice } from "../components/incident/SuppressedNotice.js";
import { JsonBlock } from "../components/JsonBlock.js";
import { useApp } from "../context.js";
import { ApiNotFound } from "../lib/api.js";
import { buildStateGraph } from "../lib/asl-graph.js";
import { formatRelative, formatTime } from "../lib/format.js";
import { pathTaken } from "../lib/history.js";

/** A one-line label for an evidence record (CloudTrail or EventBridge shaped), as plain text. */
function evidenceLabel(record: unknown, index: number): string {
  if (record && typeof record === "object") {
    const value = record as Record<string, unknown>;
    const detail = (value.detail && typeof value.detail === "object" ? value.detail : value) as Record<string, unknown>;
    const name = [detail.eventSource, detail.eventName].filter((part) => typeof part === "string").join(" ");
    const time =
      typeof detail.eventTime === "string" ? detail.eventTime : typeof value.time === "string" ? value.time : "";
    if (name || time) return `Event ${index + 1}: ${name}${time ? ` at ${time}` : ""}`;
  }
  return `Event ${index + 1}`;
}

const SECTIONS = [
  ["context", "Context"],
  ["response", "Response"],
  ["workflow", "Workflow"],
  ["evidence", "Evidence"],
  ["history", "History"],
] as const;

/** Everything about one incident, refreshed live as its workflow moves on. */
export function IncidentPage() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [detail, setDetail] = createStore<{ value?: IncidentDetailResponse }>({});
  const [error, setError] = createSignal<string>();
  const [missing, setMissing] = createSignal(false);
  const [loading, setLoading] = createSignal(true);
  const [decidedHere, setDecidedHere] = createSignal<string>();
  let controller: AbortController | undefined;

  const load = async (id: string) => {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    try {
      const response = await app.api.getIncident(id, current.signal);
      if (current.signal.aborted) return;
      // A live update can race an older response: never replace a newer version with it.
      const known = detail.value?.incident.id === id ? detail.value.incident.version : -1;
      if (response.incident.version >= known) setDetail("value", reconcile(response));
      setError(undefined);
      setMissing(false);
    } catch (failure) {
      if (current.signal.aborted) return;
      if (failure instanceof ApiNotFound) setMissing(true);
      else setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      if (!current.signal.aborted) setLoading(false);
    }
  };

  createEffect(
    on(
      () => params.id,
      (id) => {
        setDetail("value", undefined);
        setLoading(true);
        void load(id);
      },
    ),
  );

  // Refresh when the live feed says this incident moved (coalescing bursts of transitions).
  let pending: ReturnType<typeof setTimeout> | undefined;
  onCleanup(
    app.onIncidentsChanged((ids) => {
      if (!ids.has(params.id)) return;
      clearTimeout(pending);
      pending = setTimeout(() => void load(params.id), 150);
    }),
  );
  // After a reconnect the feed may have missed this incident's changes.
  onCleanup(app.live.onOpen((reconnected) => reconnected && void load(params.id)));
  onCleanup(() => {
    clearTimeout(pending);
    controller?.abort();
  });

  const incident = () => detail.value?.incident;
  const execution = () => detail.value?.execution;
  const path = createMemo(() => {
    const run = execution();
    if (!run) return { sequence: [], edges: new Set<string>(), failed: new Set<string>() };
    const graph = buildStateGraph(run.definition);
    const names = new Set(graph?.nodes.map((node) => node.name) ?? []);
    return pathTaken(run.history, names, run.status === "RUNNING");
  });

  return (
    <section class="page incident-page">
      <A href="/" class="back-link">
        ← Incidents
      </A>
      <Show when={missing()}>
        <h1>Incident not found</h1>
        <p>
          No incident has the id <span class="mono">{params.id}</span>.
        </p>
      </Show>
      <Show when={error() && !incident()}>
        <p class="error-text" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={loading() && !incident() && !missing()}>
        <p class="muted">Loading…</p>
      </Show>
      <Show when={incident()}>
        {(current) => (
          <>
            <header class="page-header incident-header">
              <h1>{current().title}</h1>
              <p class="badges">
                <SeverityBadge severity={current().severity} />
                <StatusBadge status={current().status} />
                <ModeTag mode={current().mode} />
                <Show when={current().score}>
                  {(score) => (
                    <span class="badge priority" data-priority={score().priority}>
                      {score().priority} · score {score().value}
                    </span>
                  )}
                </Show>
              </p>
              <p class="muted meta">
                <span class="mono">{current().detection}</span> · {current().category} · id{" "}
                <span class="mono">{current().id}</span> · opened{" "}
                <time datetime={current().createdAt} title={formatTime(current().createdAt)}>
                  {formatRelative(current().createdAt, app.now())}
                </time>{" "}
                · updated <time datetime={current().updatedAt}>{formatTime(current().updatedAt)}</time>
              </p>
              <Show when={error()}>
                <p class="error-text" role="alert">
                  Could not refresh: {error()}
                </p>
              </Show>
            </header>
            <nav class="section-nav" aria-label="Sections">
              <For each={SECTIONS}>{([id, label]) => <a href={`#${id}`}>{label}</a>}</For>
            </nav>
            {/* After a decision the panel stays, showing who decided, while the workflow moves on. */}
            <Show when={current().status === "AWAITING_APPROVAL" || decidedHere() === current().id}>
              <ApprovalPanel
                incident={current()}
                remediation={app.health.health()?.remediation}
                decide={(request) => app.api.decide(current().id, request)}
                onDecided={() => {
                  setDecidedHere(current().id);
                  void load(current().id);
                }}
              />
            </Show>
            <Show when={current().suppressedBy}>
              {(suppression) => <SuppressedNotice suppression={suppression()} />}
            </Show>
            <p class="summary">{current().summary}</p>

            <section id="context" aria-labelledby="context-heading" class="section">
              <h2 id="context-heading">Context</h2>
              <div class="grid-2">
                <section class="card" aria-labelledby="score-heading">
                  <h3 id="score-heading">Score</h3>
                  <ScoreBreakdown score={current().score} />
                </section>
                <section class="card" aria-labelledby="detected-heading">
                  <h3 id="detected-heading">Detected</h3>
                  <p>
                    <time datetime={current().time}>{formatTime(current().time)}</time>
                  </p>
                  <p class="muted">
                    {current().eventIds.length} event{current().eventIds.length === 1 ? "" : "s"}:{" "}
                    <span class="mono break">{current().eventIds.join(", ")}</span>
                  </p>
                  <Show when={current().enrichment?.errors.length}>
                    <p class="warning-text">Enrichment incomplete: {current().enrichment?.errors.join("; ")}</p>
                  </Show>
                </section>
              </div>
              <ContextFacts incident={current()} />
            </section>

            <section id="response" aria-labelledby="response-heading" class="section">
              <h2 id="response-heading">Response</h2>
              <ActionsSection
                decision={current().decision}
                actions={current().actions}
                verification={current().verification}
              />
              <h3>Approvals</h3>
              <ApprovalsList approvals={current().approvals} />
              <Show when={current().notifications?.failures?.length}>
                <h3>Notification failures</h3>
                <ul>
                  <For each={current().notifications?.failures ?? []}>
                    {(failure) => (
                      <li>
                        <time datetime={failure.at}>{formatTime(failure.at)}</time> {failure.channel}: {failure.error}
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </section>

            <section id="workflow" aria-labelledby="workflow-heading" class="section">
              <h2 id="workflow-heading">Workflow</h2>
              <Show when={execution()} fallback={<p class="muted">No workflow execution recorded.</p>}>
                {(run) => (
                  <>
                    <p class="muted">
                      Execution <span class="mono break">{run().name}</span> ·{" "}
                      <span class="badge exec" data-exec={run().status}>
                        {run().status}
                      </span>{" "}
                      · started {formatTime(run().startDate)}
                      <Show when={run().stopDate}> · stopped {formatTime(run().stopDate)}</Show>
                    </p>
                    <div class="workflow">
                      <StateMachineGraph definition={run().definition} path={path()} />
                      <div class="timeline-wrap">
                        <h3>Timeline</h3>
                        <ExecutionTimeline history={run().history} startDate={run().startDate} />
                      </div>
                    </div>
                  </>
                )}
              </Show>
            </section>

            <section id="evidence" aria-labelledby="evidence-heading" class="section">
              <h2 id="evidence-heading">Evidence</h2>
              <Show when={current().evidence.length} fallback={<p class="muted">No raw events stored.</p>}>
                <For each={current().evidence}>
                  {(record, index) => <JsonBlock label={evidenceLabel(record, index())} value={record} />}
                </For>
              </Show>
              <Show when={Object.keys(current().facts).length}>
                <JsonBlock label="Facts for remediation" value={current().facts} />
              </Show>
            </section>

            <section id="history" aria-labelledby="history-heading" class="section">
              <h2 id="history-heading">History</h2>
              <h3>Status changes</h3>
              <TransitionsList transitions={current().transitions} />
              <h3>Audit trail</h3>
              <AuditTrail incidentId={current().id} entries={detail.value?.audit ?? []} />
            </section>
          </>
        )}
      </Show>
    </section>
  );
}
