/**
 * Summarises a `.cpuprofile` (node --cpu-prof): self time per function and per file, and the
 * inclusive time of the functions that match `PROFILE_FOCUS` (a regular expression on
 * "function file"). `npx tsx scripts/bench/profile-summary.ts <file>.cpuprofile [top]`
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file>.cpuprofile [top]");
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

/** Self time per node, in ms, from the samples and their deltas. */
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules\/|h-tput\/|main\/)/, "$1") || "(native)";
const label = (node: ProfileNode) =>
  `${node.callFrame.functionName || "(anonymous)"} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, ms] of self) {
  const node = byId.get(id) as ProfileNode;
  add(selfByFunction, label(node), ms);
  add(selfByFile, shortUrl(node.callFrame.url), ms);
  // Inclusive: each distinct function on the stack once.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = label(byId.get(at) as ProfileNode);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusive, key, ms);
  }
}

const print = (title: string, map: Map<string, number>, filter?: RegExp) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, ms] of [...map]
    .filter(([key]) => !filter || filter.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    process.stdout.write(`  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
process.stdout.write(`total ${total.toFixed(0)} ms sampled\n`);
print("self time by file", selfByFile);
print("self time by function", selfByFunction);
const focus = process.env.PROFILE_FOCUS;
print(
  "inclusive time by function (project code)",
  inclusive,
  new RegExp(focus ?? "^(?!.*node_modules).*(core|local|functions|workflows)/"),
);

// Self time of the functions matching `PROFILE_CALLERS`, by the nearest project frame calling them.
const callers = process.env.PROFILE_CALLERS;
if (callers) {
  const pattern = new RegExp(callers);
  const project = /^(?!.*node_modules).*(core|local|functions|workflows)\//;
  const byCaller = new Map<string, number>();
  for (const [id, ms] of self) {
    if (!pattern.test(label(byId.get(id) as ProfileNode))) continue;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < 3; at = parent.get(at)) {
      const key = label(byId.get(at) as ProfileNode);
      if (project.test(key)) chain.push(key.replace(/ \S+$/, ""));
    }
    add(byCaller, chain.join(" < ") || "(none)", ms);
  }
  print(`self time of /${callers}/ by calling project frames`, byCaller);
}

// Time by bucket: `PROFILE_BUCKETS` is `name=regex;name=regex…`; a sample goes to the first bucket
// (in that order) one of whose frames matches, searching its stack from the leaf.
const buckets = process.env.PROFILE_BUCKETS;
if (buckets) {
  const rules = buckets.split(";").map((rule) => {
    const [name, source] = rule.split("=") as [string, string];
    return { name, pattern: new RegExp(source) };
  });
  const byBucket = new Map<string, number>();
  for (const [id, ms] of self) {
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      stack.push(label(byId.get(at) as ProfileNode));
    const rule = rules.find((candidate) => stack.some((frame) => candidate.pattern.test(frame)));
    add(byBucket, rule?.name ?? "(other)", ms);
  }
  print("time by bucket", byBucket);
}

// Self time by function of the samples one of whose frames matches `PROFILE_WITHIN`.
const within = process.env.PROFILE_WITHIN;
if (within) {
  const pattern = new RegExp(within);
  const inside = new Map<string, number>();
  for (const [id, ms] of self) {
    let hit = false;
    for (let at: number | undefined = id; at !== undefined && !hit; at = parent.get(at)) {
      hit = pattern.test(label(byId.get(at) as ProfileNode));
    }
    if (hit) add(inside, label(byId.get(id) as ProfileNode), ms);
  }
  print(`self time by function within /${within}/`, inside);
}
