import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";

/**
 * The module specifiers a TypeScript source imports: `import … from`, `export … from`, side-effect
 * `import "…"`, `import type`, and dynamic `import("…")` with a literal argument. A small scanner
 * rather than the compiler's API (TypeScript 7 ships none to JavaScript): comments, string and
 * template contents and regular-expression literals are skipped, so an import written inside a
 * comment or a string does not count, and one written in code is never missed for it.
 */
export function importSpecifiers(source: string): string[] {
  const { code, literals } = maskLiterals(source);
  const found: string[] = [];
  const patterns = [/\b(?:from)\s*"(\d+)"/g, /\bimport\s*"(\d+)"/g, /\bimport\s*\(\s*"(\d+)"\s*[,)]/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(literals[Number(match[1])]!);
  return found;
}

/**
 * Code with comments removed, each string literal replaced by `"<index>"` (its text in
 * `literals`), templates and regular expressions blanked.
 */
function maskLiterals(source: string): { code: string; literals: string[] } {
  const literals: string[] = [];
  let code = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i += 1;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = "";
      while (j < source.length && source[j] !== c && source[j] !== "\n") {
        if (source[j] === "\\") j += 1;
        text += source[j] ?? "";
        j += 1;
      }
      code += `"${literals.length}"`;
      literals.push(text);
      i = j + 1;
    } else if (c === "`") {
      i = skipTemplate(source, i + 1);
      code += "``";
    } else if (c === "/" && regexMayStart(code)) {
      i = skipRegex(source, i + 1);
      code += "/r/";
    } else {
      code += c;
      i += 1;
    }
  }
  return { code, literals };
}

/** Past a template literal's closing backtick; `${…}` expressions are skipped with their nesting. */
function skipTemplate(source: string, start: number): number {
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\") i += 2;
    else if (c === "`") return i + 1;
    else if (c === "$" && source[i + 1] === "{") {
      let depth = 1;
      i += 2;
      while (i < source.length && depth > 0) {
        const d = source[i]!;
        if (d === "`") i = skipTemplate(source, i + 1);
        else if (d === '"' || d === "'") {
          i += 1;
          while (i < source.length && source[i] !== d) i += source[i] === "\\" ? 2 : 1;
          i += 1;
        } else {
          if (d === "{") depth += 1;
          if (d === "}") depth -= 1;
          i += 1;
        }
      }
    } else i += 1;
  }
  return i;
}

/** A `/` starts a regular expression where an operand is expected, not after a value (division). */
function regexMayStart(code: string): boolean {
  const before = code.trimEnd();
  if (before.length === 0) return true;
  if (/(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|yield|await)$/.test(before)) return true;
  return /[(,=:[!&|?{};+\-*%<>~^]$/.test(before);
}

function skipRegex(source: string, start: number): number {
  let i = start;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const c = source[i]!;
    if (c === "\\") i += 2;
    else if (c === "[" || c === "]") {
      inClass = c === "[";
      i += 1;
    } else if (c === "/" && !inClass) return i + 1;
    else i += 1;
  }
  return i;
}

/** Every .ts file under `dir` (relative to `root`, forward slashes), declaration files excluded. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") visit(full);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        out.push(relative(root, full).split("\\").join("/"));
      }
    }
  };
  visit(join(root, dir));
  return out.sort();
}

/** A relative specifier as the repository path it names (`.js` written for `.ts`, as NodeNext wants). */
export function resolveRelative(file: string, specifier: string): string {
  const joined = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (joined.endsWith(".js")) return `${joined.slice(0, -3)}.ts`;
  if (joined.endsWith(".ts") || joined.endsWith(".json") || joined.endsWith(".mjs")) return joined;
  return `${joined}.ts`;
}

export interface ImportEdge {
  from: string;
  to: string;
  specifier: string;
}

/** The relative imports of each file: the edges of the repository's own module graph. */
export function relativeImports(root: string, files: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const source = readFileSync(join(root, file), "utf8");
    for (const specifier of importSpecifiers(source))
      if (specifier.startsWith(".")) edges.push({ from: file, to: resolveRelative(file, specifier), specifier });
  }
  return edges;
}

/** Every cycle's files, one per strongly connected group of more than one file (Tarjan). */
export function cycles(edges: ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of edges) {
    graph.set(from, [...(graph.get(from) ?? []), to]);
    if (!graph.has(to)) graph.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1 || (graph.get(node) ?? []).includes(node)) groups.push(group.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return groups;
}

/** The top-level directory a repository path sits in: its layer. */
export const topDirectory = (file: string): string => (file.includes("/") ? file.slice(0, file.indexOf("/")) : ".");
