import type { IndexTerm, ObjectCondition } from "./conditions.js";

/**
 * A necessary condition of a pattern that `PatternIndex` can look up: atoms (a field path and a
 * term), at least one of which holds in every event the pattern matches.
 */
export interface IndexKey {
  atoms: { path: readonly string[]; term: IndexTerm }[];
  /** Estimated share of events that hold one of the atoms (`atomCost`, summed). */
  cost: number;
}

/**
 * How common a value at a path is in events, guessed: event names are many, sources and regions
 * few, `detail-type` nearly one; booleans and short prefixes hold for many events. Only the
 * choice between a pattern's conditions depends on it, never an answer.
 */
const PATH_COST: Record<string, number> = {
  "detail-type": 1,
  source: 0.2,
  region: 0.3,
  account: 0.5,
  "detail.eventSource": 0.2,
  "detail.eventName": 0.01,
  "detail.eventType": 0.5,
  "detail.eventCategory": 0.8,
  "detail.awsRegion": 0.3,
  "detail.recipientAccountId": 0.5,
  "detail.userIdentity.type": 0.3,
  "detail.userIdentity.accountId": 0.5,
  "detail.readOnly": 0.5,
  "detail.managementEvent": 0.8,
};
const OTHER_PATH_COST = 0.05;

function atomCost(pathText: string, term: IndexTerm): number {
  const base = PATH_COST[pathText] ?? OTHER_PATH_COST;
  switch (term.kind) {
    case "exact":
      return typeof term.value === "boolean" || term.value === null ? Math.max(base, 0.5) : base;
    case "folded":
      return Math.min(1, base * 1.5);
    case "test":
      return term.loose ? Math.min(1, Math.max(base * 10, 0.5)) : Math.min(1, base * 3);
    default:
      return term.text.length === 0 ? 1 : Math.min(1, base * 3 + 0.3 / term.text.length);
  }
}

/**
 * Every key of a pattern's tree, those found by lookups first, each kind cheapest first: each holds in every event the pattern matches
 * (so an event must hold one atom of each). Empty when the pattern has no condition but
 * `exists: false`. Sound for
 * `$or` as `matches` reads it: any event an alternative matches also matches the tree with each
 * branch tested on its own, so a field's keys are keys of the object that holds it, and a `$or`
 * whose every branch has a key has the union of their cheapest.
 */
export function indexKeysOf(root: ObjectCondition): IndexKey[] {
  return keysOf(root, [], "").sort((a, b) => Number(tested(a)) - Number(tested(b)) || a.cost - b.cost);
}

/** Whether finding the key runs a test on each value (`IndexTerm` "test"): lookups are sorted first. */
export function tested(key: IndexKey): boolean {
  return key.atoms.some((atom) => atom.term.kind === "test");
}

/** `pathText`: `path` joined with dots, as `PATH_COST` names paths. */
function keysOf(condition: ObjectCondition, path: readonly string[], pathText: string): IndexKey[] {
  const keys: IndexKey[] = [];
  for (const field of condition.fields) {
    const fieldPath = [...path, field.key];
    const fieldText = pathText ? `${pathText}.${field.key}` : field.key;
    if (field.child) keys.push(...keysOf(field.child, fieldPath, fieldText));
    const leaf = field.leaf;
    if (!leaf?.terms || leaf.absent) continue;
    const atoms = leaf.terms.map((term) => ({ path: fieldPath, term }));
    keys.push({ atoms, cost: leaf.terms.reduce((sum, term) => sum + atomCost(fieldText, term), 0) });
  }
  for (const branches of condition.ors) {
    const cheapest: IndexKey[] = [];
    for (const branch of branches) {
      const best = keysOf(branch, path, pathText).reduce<IndexKey | undefined>(
        (found, key) => (found && found.cost <= key.cost ? found : key),
        undefined,
      );
      if (!best) break;
      cheapest.push(best);
    }
    if (cheapest.length === branches.length) {
      keys.push({
        atoms: cheapest.flatMap((key) => key.atoms),
        cost: cheapest.reduce((sum, key) => sum + key.cost, 0),
      });
    }
  }
  return keys;
}
