// The import graph of src/ and steps/ and the two checks on it that test/architecture.test.ts
// runs: no import goes up a layer, and no cycle (type-only imports count: a type cycle still
// ties two folders together for a reader and for the compiler). Parsing goes through the
// TypeScript compiler's own parser, so `import type`, `export … from`, `import()` in code and
// in type positions are all seen exactly as tsc sees them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The layers, top first. A file may import its own layer or any layer below it. */
export const LAYERS: readonly (readonly string[])[] = [
  ['index'], // src/index.ts: the public API re-exports from every layer
  ['steps'], // the Cucumber glue
  ['report', 'run', 'cli', 'author'], // what drives a run or a command; src/cli.ts is `cli`
  ['conversation'],
  ['ai'], // conversation may ask ai; ai talks through client
  ['inbox', 'simulator', 'client'],
  ['protocol'],
  ['config'], // src/config.ts: read by every layer above base, reads only base
  ['base'],
];

/** The layer a repository-relative path belongs to ('src/run/run.ts' → 'run'), or undefined. */
export function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'steps') return 'steps';
  if (parts[0] !== 'src') return undefined;
  if (parts.length === 2) return { 'index.ts': 'index', 'cli.ts': 'cli', 'config.ts': 'config' }[parts[1]!];
  return parts[1];
}

export function rankOf(layer: string, layers = LAYERS): number {
  return layers.findIndex((names) => names.includes(layer));
}

export interface Edge {
  from: string; // repository-relative, '/'-separated
  to: string;
  specifier: string; // as written
}

/** Every relative import of one file's text, as written. */
export function importsOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0]);
    // new URL('./plugin-run', import.meta.url): how the .mjs shims load TypeScript modules
    else if (ts.isNewExpression(node) && node.expression.getText(source) === 'URL' && node.arguments?.[1]?.getText(source) === 'import.meta.url')
      literal(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

const SOURCE = /\.(ts|mts|js|mjs)$/;

function resolveImport(fromAbs: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromAbs), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.mjs`, `${base}.js`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The import edges among the source files under `roots` (relative to `repo`). */
export function collectEdges(repo: string, roots: readonly string[]): { files: string[]; edges: Edge[]; unresolved: Edge[] } {
  const rel = (abs: string) => relative(repo, abs).split(sep).join('/');
  const files = roots.flatMap((root) => walk(join(repo, root))).sort();
  const edges: Edge[] = [];
  const unresolved: Edge[] = [];
  for (const abs of files) {
    for (const specifier of importsOf(abs, readFileSync(abs, 'utf8'))) {
      const target = resolveImport(abs, specifier);
      if (target && SOURCE.test(target)) edges.push({ from: rel(abs), to: rel(target), specifier });
      else if (!target) unresolved.push({ from: rel(abs), to: specifier, specifier });
    }
  }
  return { files: files.map(rel), edges, unresolved };
}

/** One line per import that goes up a layer (or leaves the known layers). */
export function upwardImports(edges: readonly Edge[], layers = LAYERS, layer = layerOf): string[] {
  const problems: string[] = [];
  for (const { from, to, specifier } of edges) {
    const [a, b] = [layer(from), layer(to)];
    if (a === undefined || b === undefined) continue; // outside src/ and steps/ (package.json, assets)
    const [ra, rb] = [rankOf(a, layers), rankOf(b, layers)];
    if (ra < 0 || rb < 0) problems.push(`${from} imports '${specifier}': folder '${ra < 0 ? a : b}' has no layer in LAYERS (test/support/import-graph.ts)`);
    else if (rb < ra) problems.push(`${from} (layer ${a}) imports '${specifier}' (layer ${b}), which is above it`);
  }
  return problems;
}

/** Every import cycle, one per strongly connected component, as a path a → b → … → a. */
export function importCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's algorithm finds the components; a breadth-first search inside one gives a short cycle to print.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.includes(v)) components.push(component);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) strongConnect(v);
  return components.map((component) => shortestCycle(component.sort()[0]!, new Set(component), next));
}

function shortestCycle(start: string, inside: Set<string>, next: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
