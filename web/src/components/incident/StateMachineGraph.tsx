import { createMemo, For, Show } from "solid-js";
import { buildStateGraph, type GraphEdge, type GraphNode } from "../../lib/asl-graph.js";
import { wrapLabel } from "../../lib/format.js";
import { edgeKey, type PathTaken } from "../../lib/history.js";

const NODE_W = 196;
const NODE_H = 50;
const LINE_CHARS = 30;
const GAP_X = 36;
const GAP_Y = 46;
const PAD = 24;

/**
 * The state machine drawn as SVG, with the path the execution took highlighted, the state it is
 * in now pulsing, and failed states in red. A text summary of the path is given alongside for
 * screen readers (and the timeline below has every detail).
 */
export function StateMachineGraph(props: { definition: unknown; path: PathTaken }) {
  const graph = createMemo(() => buildStateGraph(props.definition));

  return (
    <Show when={graph()} fallback={<p class="muted">No state machine definition available.</p>}>
      {(g) => {
        const width = () => g().maxWidth * (NODE_W + GAP_X) - GAP_X + PAD * 2 + 80;
        const height = () => g().layerCount * (NODE_H + GAP_Y) - GAP_Y + PAD * 2;
        const rowSize = createMemo(() => {
          const sizes = new Map<number, number>();
          for (const node of g().nodes) sizes.set(node.layer, (sizes.get(node.layer) ?? 0) + 1);
          return sizes;
        });
        const position = (node: GraphNode) => {
          const inRow = rowSize().get(node.layer) ?? 1;
          const rowWidth = inRow * (NODE_W + GAP_X) - GAP_X;
          const left = (width() - 80 - rowWidth) / 2;
          return { x: left + node.order * (NODE_W + GAP_X), y: PAD + node.layer * (NODE_H + GAP_Y) };
        };
        const byName = createMemo(() => new Map(g().nodes.map((node) => [node.name, node])));
        const edgePath = (edge: GraphEdge) => {
          const from = byName().get(edge.from);
          const to = byName().get(edge.to);
          if (!from || !to) return "";
          const a = position(from);
          const b = position(to);
          if (edge.back) {
            // Loops go round the right-hand side.
            const x = Math.max(a.x, b.x) + NODE_W + 30;
            return `M ${a.x + NODE_W} ${a.y + NODE_H / 2} C ${x} ${a.y + NODE_H / 2}, ${x} ${b.y + NODE_H / 2}, ${b.x + NODE_W} ${b.y + NODE_H / 2}`;
          }
          const x1 = a.x + NODE_W / 2;
          const y1 = a.y + NODE_H;
          const x2 = b.x + NODE_W / 2;
          const y2 = b.y;
          const bend = Math.min(60, (y2 - y1) / 2);
          return `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
        };
        const taken = (edge: GraphEdge) => props.path.edges.has(edgeKey(edge.from, edge.to));
        const visited = (name: string) => props.path.sequence.includes(name);
        const summary = () =>
          props.path.sequence.length
            ? `Path taken: ${props.path.sequence.join(" → ")}${props.path.current ? `; now in ${props.path.current}` : ""}`
            : "The execution has not entered any state yet.";
        return (
          <figure class="graph">
            {/* Focusable: on a narrow screen the graph scrolls, and a keyboard user must be able to scroll it. */}
            <section class="graph-scroll" tabindex="0" aria-label="Workflow graph">
              <svg
                viewBox={`0 0 ${width()} ${height()}`}
                width={width()}
                height={height()}
                role="img"
                aria-label={summary()}
              >
                <defs>
                  <marker
                    id="arrow"
                    viewBox="0 0 10 10"
                    refX="9"
                    refY="5"
                    markerWidth="8"
                    markerHeight="8"
                    markerUnits="userSpaceOnUse"
                    orient="auto"
                  >
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                  </marker>
                  <marker
                    id="arrow-taken"
                    viewBox="0 0 10 10"
                    refX="9"
                    refY="5"
                    markerWidth="8"
                    markerHeight="8"
                    markerUnits="userSpaceOnUse"
                    orient="auto"
                  >
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head taken" />
                  </marker>
                </defs>
                <For each={g().edges}>
                  {(edge) => (
                    <path
                      d={edgePath(edge)}
                      class="edge"
                      classList={{ taken: taken(edge), catch: edge.kind === "catch", back: edge.back }}
                      data-from={edge.from}
                      data-to={edge.to}
                      marker-end={taken(edge) ? "url(#arrow-taken)" : "url(#arrow)"}
                    >
                      <title>{`${edge.from} → ${edge.to}${edge.label ? ` (${edge.label})` : ""}`}</title>
                    </path>
                  )}
                </For>
                <For each={g().nodes}>
                  {(node) => {
                    const at = () => position(node);
                    return (
                      <g
                        class="node"
                        classList={{
                          visited: visited(node.name),
                          current: props.path.current === node.name,
                          failed: props.path.failed.has(node.name),
                          choice: node.type === "Choice",
                          terminal: node.terminal,
                        }}
                        data-state={node.name}
                        transform={`translate(${at().x} ${at().y})`}
                      >
                        <title>{`${node.name} (${node.type})${node.comment ? ` — ${node.comment}` : ""}`}</title>
                        <rect width={NODE_W} height={NODE_H} rx={node.type === "Choice" ? 18 : 6} />
                        <For each={wrapLabel(node.name, LINE_CHARS)}>
                          {(line, index) => (
                            <text
                              x={NODE_W / 2}
                              y={(wrapLabel(node.name, LINE_CHARS).length > 1 ? 15 : 21) + index() * 13}
                              text-anchor="middle"
                              class="node-name"
                            >
                              {line}
                            </text>
                          )}
                        </For>
                        <text x={NODE_W / 2} y={NODE_H - 7} text-anchor="middle" class="node-type">
                          {node.type}
                        </text>
                      </g>
                    );
                  }}
                </For>
              </svg>
            </section>
            <figcaption class="muted">{summary()}</figcaption>
          </figure>
        );
      }}
    </Show>
  );
}
