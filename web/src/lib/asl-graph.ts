import { truncate } from "./format.js";

/**
 * Turn an ASL definition into a layered graph to draw: states are nodes, `Next`, Choice rules,
 * `Default` and `Catch` are edges. Layers come from the longest forward path from `StartAt`
 * (loops are drawn as back edges), so the happy path reads top to bottom.
 */

export type EdgeKind = "next" | "choice" | "default" | "catch";

export interface GraphNode {
  name: string;
  type: string;
  comment?: string;
  /** Row, from 0 at `StartAt`. */
  layer: number;
  /** Position within the row, from 0. */
  order: number;
  terminal: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  /** Points back to an earlier state (a loop). */
  back: boolean;
}

export interface StateGraph {
  startAt: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  layerCount: number;
  /** Most nodes in any one layer. */
  maxWidth: number;
}

interface RawState {
  Type?: unknown;
  Next?: unknown;
  End?: unknown;
  Default?: unknown;
  Comment?: unknown;
  Choices?: unknown;
  Catch?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function choiceLabel(rule: Record<string, unknown>, index: number): string {
  const label = text(rule.Comment) ?? text(rule.Condition) ?? text(rule.Variable) ?? `rule ${index + 1}`;
  return truncate(label.replace(/^\{%\s*|\s*%\}$/g, ""), 40);
}

function outgoing(name: string, state: RawState): Omit<GraphEdge, "back">[] {
  const edges: Omit<GraphEdge, "back">[] = [];
  const next = text(state.Next);
  if (next) edges.push({ from: name, to: next, kind: "next" });
  if (Array.isArray(state.Choices)) {
    state.Choices.forEach((rule, index) => {
      if (rule && typeof rule === "object") {
        const to = text((rule as Record<string, unknown>).Next);
        if (to)
          edges.push({ from: name, to, kind: "choice", label: choiceLabel(rule as Record<string, unknown>, index) });
      }
    });
  }
  const fallback = text(state.Default);
  if (fallback) edges.push({ from: name, to: fallback, kind: "default", label: "otherwise" });
  if (Array.isArray(state.Catch)) {
    for (const catcher of state.Catch) {
      if (!catcher || typeof catcher !== "object") continue;
      const to = text((catcher as Record<string, unknown>).Next);
      const errors = (catcher as Record<string, unknown>).ErrorEquals;
      const label = Array.isArray(errors) ? truncate(errors.filter((e) => typeof e === "string").join(", "), 40) : "";
      if (to) edges.push({ from: name, to, kind: "catch", label: label || "error" });
    }
  }
  return edges;
}

/** Build the graph of a state machine definition (object or JSON text); undefined when it is not ASL. */
export function buildStateGraph(definition: unknown): StateGraph | undefined {
  let value = definition;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!value || typeof value !== "object") return undefined;
  const { StartAt, States } = value as { StartAt?: unknown; States?: unknown };
  const startAt = text(StartAt);
  if (!startAt || !States || typeof States !== "object") return undefined;
  const states = States as Record<string, RawState>;
  if (!(startAt in states)) return undefined;

  const names = Object.keys(states);
  const rawEdges = names.flatMap((name) => outgoing(name, states[name] ?? {})).filter((edge) => edge.to in states);

  // Depth-first from StartAt (then any unreachable state) to find back edges and a discovery order.
  const byFrom = new Map<string, Omit<GraphEdge, "back">[]>();
  for (const edge of rawEdges) byFrom.set(edge.from, [...(byFrom.get(edge.from) ?? []), edge]);
  const discovered: string[] = [];
  const onStack = new Set<string>();
  const seen = new Set<string>();
  const backEdges = new Set<Omit<GraphEdge, "back">>();
  const visit = (root: string) => {
    // Iterative DFS: definitions written by users can be deep.
    const stack: { name: string; index: number }[] = [{ name: root, index: 0 }];
    seen.add(root);
    onStack.add(root);
    discovered.push(root);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const edges = byFrom.get(top.name) ?? [];
      if (top.index >= edges.length) {
        onStack.delete(top.name);
        stack.pop();
        continue;
      }
      const edge = edges[top.index++]!;
      if (onStack.has(edge.to)) backEdges.add(edge);
      else if (!seen.has(edge.to)) {
        seen.add(edge.to);
        onStack.add(edge.to);
        discovered.push(edge.to);
        stack.push({ name: edge.to, index: 0 });
      }
    }
  };
  visit(startAt);
  for (const name of names) if (!seen.has(name)) visit(name);

  // Longest-path layering over forward edges, in a topological order (Kahn).
  const forward = rawEdges.filter((edge) => !backEdges.has(edge));
  const indegree = new Map(names.map((name) => [name, 0]));
  for (const edge of forward) indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
  const layer = new Map(names.map((name) => [name, 0]));
  const queue = discovered.filter((name) => indegree.get(name) === 0);
  while (queue.length) {
    const name = queue.shift()!;
    for (const edge of byFrom.get(name) ?? []) {
      if (backEdges.has(edge)) continue;
      layer.set(edge.to, Math.max(layer.get(edge.to) ?? 0, (layer.get(name) ?? 0) + 1));
      const left = (indegree.get(edge.to) ?? 0) - 1;
      indegree.set(edge.to, left);
      if (left === 0) queue.push(edge.to);
    }
  }

  // Order each layer by the mean position of its parents (one barycentre sweep cuts crossings).
  const layerCount = Math.max(...layer.values()) + 1;
  const rows: string[][] = Array.from({ length: layerCount }, () => []);
  for (const name of discovered) rows[layer.get(name) ?? 0]!.push(name);
  const position = new Map<string, number>();
  for (const [index, name] of rows[0]!.entries()) position.set(name, index);
  for (let row = 1; row < rows.length; row++) {
    const parents = (name: string) => forward.filter((edge) => edge.to === name && edge.kind !== "catch");
    const weight = (name: string) => {
      const from = parents(name).map((edge) => position.get(edge.from) ?? 0);
      return from.length ? from.reduce((sum, value) => sum + value, 0) / from.length : Number.POSITIVE_INFINITY;
    };
    const weights = new Map(rows[row]!.map((name) => [name, weight(name)]));
    rows[row]!.sort((a, b) => (weights.get(a) ?? 0) - (weights.get(b) ?? 0));
    for (const [index, name] of rows[row]!.entries()) position.set(name, index);
  }

  const nodes: GraphNode[] = rows.flatMap((row, rowIndex) =>
    row.map((name, order) => {
      const state = states[name] ?? {};
      const type = text(state.Type) ?? "Unknown";
      return {
        name,
        type,
        comment: text(state.Comment),
        layer: rowIndex,
        order,
        terminal: state.End === true || type === "Succeed" || type === "Fail",
      };
    }),
  );
  return {
    startAt,
    nodes,
    edges: rawEdges.map((edge) => ({ ...edge, back: backEdges.has(edge) })),
    layerCount,
    maxWidth: Math.max(...rows.map((row) => row.length)),
  };
}
