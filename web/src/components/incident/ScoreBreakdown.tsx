import { For, Show } from "solid-js";
import type { Score } from "../../../../core/model/incident.js";

/** The risk score and the factors that make it up, largest first. */
export function ScoreBreakdown(props: { score?: Score }) {
  const factors = () => [...(props.score?.factors ?? [])].sort((a, b) => Math.abs(b.points) - Math.abs(a.points));
  const widest = () => Math.max(1, ...factors().map((factor) => Math.abs(factor.points)));
  return (
    <Show when={props.score} fallback={<p class="muted">Not scored yet.</p>}>
      {(score) => (
        <div class="score">
          <p class="score-value">
            <span class="sr-only">Score</span>
            <span class="big">{score().value}</span>
            <span class="muted">/ 100</span>
            <span class="badge priority" data-priority={score().priority}>
              {score().priority}
            </span>
          </p>
          <table class="factors">
            <caption class="sr-only">Score factors</caption>
            <thead>
              <tr>
                <th scope="col">Factor</th>
                <th scope="col" class="num">
                  Points
                </th>
                <th scope="col">
                  <span class="sr-only">Weight</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={factors()}>
                {(factor) => (
                  <tr>
                    <td>{factor.label}</td>
                    <td class="num">{factor.points > 0 ? `+${factor.points}` : factor.points}</td>
                    <td class="bar-cell" aria-hidden="true">
                      <span
                        class="bar"
                        classList={{ negative: factor.points < 0 }}
                        style={{ width: `${(Math.abs(factor.points) / widest()) * 100}%` }}
                      />
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      )}
    </Show>
  );
}
