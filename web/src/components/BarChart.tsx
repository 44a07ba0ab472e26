import { createMemo, For, Show } from "solid-js";

export interface ChartPoint {
  /** ISO start of the bucket. */
  bucket: string;
  count: number;
}

const HEIGHT = 160;

function bucketLabel(iso: string, spanMs: number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number) => String(value).padStart(2, "0");
  // Short spans label by hour and minute, longer ones by day.
  return spanMs <= 2 * 86_400_000
    ? `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
    : `${date.getUTCMonth() + 1}/${date.getUTCDate()}`;
}

/** Incidents per time bucket as SVG bars, with a data table for screen readers. */
export function BarChart(props: { points: ChartPoint[]; label: string }) {
  const max = createMemo(() => Math.max(1, ...props.points.map((point) => point.count)));
  const span = createMemo(() => {
    const first = Date.parse(props.points[0]?.bucket ?? "");
    const last = Date.parse(props.points[props.points.length - 1]?.bucket ?? "");
    return Number.isFinite(first) && Number.isFinite(last) ? last - first : 0;
  });
  const width = () => Math.max(300, props.points.length * 18);
  const barWidth = () => width() / Math.max(1, props.points.length);
  // A few buckets must not turn into slabs: bars stay narrow and centred in their slot.
  const drawn = () => Math.max(1, Math.min(barWidth() - 2, 40));
  const labelEvery = () => Math.max(1, Math.ceil(props.points.length / 12));
  return (
    <Show when={props.points.length} fallback={<p class="muted">No incidents in this period.</p>}>
      <figure class="chart">
        {/* A few buckets must not stretch into slabs across the page: the plot grows with them. */}
        <div class="chart-plot" style={{ "max-width": `${Math.max(6, props.points.length) * 56}px` }}>
          <svg
            viewBox={`0 0 ${width()} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={props.label}
            class="bar-chart"
          >
            <For each={props.points}>
              {(point, index) => {
                const h = () => (point.count / max()) * HEIGHT;
                return (
                  <g>
                    <rect
                      x={index() * barWidth() + (barWidth() - drawn()) / 2}
                      y={HEIGHT - h()}
                      width={drawn()}
                      height={h()}
                      class="chart-bar"
                    >
                      <title>{`${point.bucket}: ${point.count}`}</title>
                    </rect>
                  </g>
                );
              }}
            </For>
          </svg>
          {/* Axis labels are HTML: SVG text would stretch with the chart's width. */}
          <div class="chart-labels" aria-hidden="true">
            <For each={props.points}>
              {(point, index) => (
                <Show when={index() % labelEvery() === 0}>
                  <span style={{ left: `${((index() + 0.5) / props.points.length) * 100}%` }}>
                    {bucketLabel(point.bucket, span())}
                  </span>
                </Show>
              )}
            </For>
          </div>
        </div>
        <figcaption class="muted">Peak {max()} per bucket (UTC)</figcaption>
        <table class="sr-only">
          <caption>{props.label}</caption>
          <thead>
            <tr>
              <th scope="col">Bucket</th>
              <th scope="col">Incidents</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.points}>
              {(point) => (
                <tr>
                  <td>{point.bucket}</td>
                  <td>{point.count}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </figure>
    </Show>
  );
}
