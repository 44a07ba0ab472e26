import type { Json, Problems } from "./load-fields.js";
import type { State, StateGraph } from "./model.js";

/** The states a state can move to: Next, a Choice's rules and Default, and its catchers. */
export function successors(state: State): string[] {
  const targets: string[] = [];
  if (state.next !== undefined) targets.push(state.next);
  if (state.type === "Choice") {
    targets.push(...state.choices.map((rule) => rule.next));
    if (state.default !== undefined) targets.push(state.default);
  }
  if (state.type === "Task") {
    targets.push(...state.catch.map((catcher) => catcher.next));
  }
  return targets;
}

/**
 * Check the States map: StartAt and every transition name an existing state, and every state is
 * reachable, as Step Functions requires.
 */
export function checkGraph(graph: StateGraph, raw: Json, where: string, problems: Problems): void {
  const names = new Set(Object.keys(raw));
  if (!names.has(graph.startAt)) problems.add("", `${where}: StartAt "${graph.startAt}" is not one of its states`);
  for (const state of graph.states.values()) {
    for (const target of successors(state)) {
      if (!names.has(target)) problems.add(state.name, `transition to "${target}", which is not a state of ${where}`);
    }
  }
  const reached = new Set<string>();
  const queue = names.has(graph.startAt) ? [graph.startAt] : [];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    const state = graph.states.get(name);
    if (state) queue.push(...successors(state).filter((target) => names.has(target)));
  }
  for (const name of names) {
    // A state that failed to load is already reported; its successors are unknown.
    if (!reached.has(name) && graph.states.size === names.size) problems.add(name, `is not reachable from ${where}`);
  }
}
