import type { IndexTerm, ObjectCondition } from "./conditions.js";

/**
 * What `PatternIndex` files a pattern under: atoms (a field path and a term), at least one of
 * which holds in every event the pattern matches, chosen to be as rare in events as can be told
 * from the pattern alone.
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

function atomCost(path: readonly string[], term: IndexTerm): number {
  const base = PATH_COST[path.join(".")] ?? OTHER_PATH_COST;
  switch (term.kind) {
    case "exact":
      return typeof term.value === "boolean" || term.value === null ? Math.max(base, 0.5) : base;
    case "folded":
      return Math.min(1, base * 1.5);
    default:
      return term.text.length === 0 ? 1 : Math.min(1, base * 3 + 0.3 / term.text.length);
  }
}

/**
 * The cheapest key of a pattern's tree, or undefined when it has no indexable condition (only
 * `anything-but`, `exists`, `cidr`, numeric ranges, wildcards with no literal end). Sound for
 * `$or` as `matches` reads it: any event an alternative matches also matches the tree with each
 * branch tested on its own, so a field's key is a key of the object that holds it, and a `$or`
 * whose every branch has a key has their union.
 */
export function indexKeyOf(root: ObjectCondition): IndexKey | undefined {
  return bestKey(root, []);
}

function bestKey(condition: ObjectCondition, path: readonly string[]): IndexKey | undefined {
  let best: IndexKey | undefined;
  const consider = (key: IndexKey | undefined) => {
    if (key && (!best || key.cost < best.cost)) best = key;
  };
  for (const field of condition.fields) {
    const fieldPath = [...path, field.key];
    if (field.child) consider(bestKey(field.child, fieldPath));
    const leaf = field.leaf;
    if (!leaf?.terms || leaf.absent) continue;
    const atoms = leaf.terms.map((term) => ({ path: fieldPath, term }));
    consider({ atoms, cost: atoms.reduce((sum, atom) => sum + atomCost(atom.path, atom.term), 0) });
  }
  for (const branches of condition.ors) {
    const keys: IndexKey[] = [];
    for (const branch of branches) {
      const key = bestKey(branch, path);
      if (!key) break;
      keys.push(key);
    }
    if (keys.length === branches.length) {
      consider({ atoms: keys.flatMap((key) => key.atoms), cost: keys.reduce((sum, key) => sum + key.cost, 0) });
    }
  }
  return best;
}
