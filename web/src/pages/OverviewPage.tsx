import { createSignal, onCleanup, Show } from "solid-js";
import type { StatsResponse } from "../../../core/model/api.js";
import { SeverityBadge, StatusBadge } from "../components/Badges.js";
import { BarChart } from "../components/BarChart.js";
import { CountBars } from "../components/CountBars.js";
import { DeadLetterNotice } from "../components/DeadLetterNotice.js";
import { useApp } from "../context.js";
import { formatDuration, humanize } from "../lib/format.js";

const listHref = (key: string, value: string) => `/?${new URLSearchParams({ [key]: value }).toString()}`;

/** Counts, response times, incidents over time and the most frequent principals and resources. */
export function OverviewPage() {
  const app = useApp();
  const [stats, setStats] = createSignal<StatsResponse>();
  const [error, setError] = createSignal<string>();
  // A failed refresh keeps the last numbers on screen, with the error above them.
  const refetch = async () => {
    try {
      setStats(await app.api.stats());
      setError(undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  void refetch();
  // Live changes refresh the numbers, at most every two seconds.
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(
    app.onIncidentsChanged(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void refetch();
      }, 2000);
    }),
  );
  onCleanup(() => clearTimeout(timer));

  return (
    <section class="page overview-page" aria-labelledby="overview-heading">
      <header class="page-header">
        <h1 id="overview-heading">Overview</h1>
      </header>
      <DeadLetterNotice />
      <Show when={error()}>
        <p class="error-text" role="alert">
          Could not load statistics: {error()}
        </p>
      </Show>
      <Show
        when={stats()}
        fallback={
          <Show when={!error()}>
            <p class="muted">Loading…</p>
          </Show>
        }
      >
        {(s) => (
          <>
            <div class="kpis">
              <div class="kpi">
                <span class="kpi-value">{s().total.toLocaleString("en")}</span>
                <span class="kpi-label">incidents</span>
              </div>
              <div class="kpi">
                <span class="kpi-value">{formatDuration(s().timeToRespond.mean)}</span>
                <span class="kpi-label">mean time to respond</span>
              </div>
              <div class="kpi">
                <span class="kpi-value">{formatDuration(s().timeToRespond.p90)}</span>
                <span class="kpi-label">p90 time to respond</span>
              </div>
              <div class="kpi">
                <span class="kpi-value">{s().timeToRespond.count.toLocaleString("en")}</span>
                <span class="kpi-label">reached a final status</span>
              </div>
            </div>
            <section class="card" aria-labelledby="over-time-heading">
              <h2 id="over-time-heading">Incidents over time</h2>
              <BarChart points={s().overTime} label="Incidents created per time bucket" />
            </section>
            <div class="grid-3">
              <section class="card" aria-labelledby="by-status-heading">
                <h2 id="by-status-heading">By status</h2>
                <CountBars
                  ariaLabel="Incidents by status"
                  rows={s().byStatus.map((row) => ({
                    key: row.key,
                    count: row.count,
                    href: listHref("status", row.key),
                    label: <StatusBadge status={row.key} />,
                  }))}
                />
              </section>
              <section class="card" aria-labelledby="by-category-heading">
                <h2 id="by-category-heading">By category</h2>
                <CountBars
                  ariaLabel="Incidents by category"
                  rows={s().byCategory.map((row) => ({
                    key: row.key,
                    count: row.count,
                    href: listHref("category", row.key),
                    label: humanize(row.key),
                  }))}
                />
              </section>
              <section class="card" aria-labelledby="by-severity-heading">
                <h2 id="by-severity-heading">By severity</h2>
                <CountBars
                  ariaLabel="Incidents by severity"
                  rows={s().bySeverity.map((row) => ({
                    key: row.key,
                    count: row.count,
                    href: listHref("severity", row.key),
                    label: <SeverityBadge severity={row.key} />,
                  }))}
                />
              </section>
            </div>
            <div class="grid-2">
              <section class="card" aria-labelledby="top-principals-heading">
                <h2 id="top-principals-heading">Top principals</h2>
                <CountBars
                  ariaLabel="Top principals"
                  rows={s().topPrincipals.map((row) => ({ ...row, href: listHref("q", row.key) }))}
                />
              </section>
              <section class="card" aria-labelledby="top-resources-heading">
                <h2 id="top-resources-heading">Top resources</h2>
                <CountBars
                  ariaLabel="Top resources"
                  rows={s().topResources.map((row) => ({ ...row, href: listHref("q", row.key) }))}
                />
              </section>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
