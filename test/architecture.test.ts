// The layer rule of docs/architecture.md, checked over every import of src/ and steps/:
// steps → report/run/cli → conversation → ai → inbox/simulator/client → protocol → config → base.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectEdges, importCycles, importsOf, layerOf, upwardImports, type Edge } from './support/import-graph.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const graph = collectEdges(repo, ['src', 'steps']);

describe('architecture', () => {
  it('no import in src/ or steps/ goes up a layer', () => {
    assert.ok(graph.edges.length > 100, `only ${graph.edges.length} imports found: the parser is broken`);
    assert.deepEqual(upwardImports(graph.edges), []);
  });

  it('no import cycle, type-only imports included', () => {
    const cycles = importCycles(graph.edges).map((cycle) => cycle.join(' → '));
    assert.deepEqual(cycles, []);
  });

  it('no cycle between folders either (src/cli.ts counts as cli, src/config.ts as config)', () => {
    const between = graph.edges.map((e) => ({ ...e, from: layerOf(e.from)!, to: layerOf(e.to)! })).filter((e) => e.from !== e.to);
    assert.deepEqual(importCycles(between).map((cycle) => cycle.join(' → ')), []);
  });

  it('every relative import resolves to a file', () => {
    assert.deepEqual(graph.unresolved.map((e) => `${e.from} imports '${e.specifier}'`), []);
  });

  it('src/ has at most four .ts files at its root', () => {
    const root = readdirSync(new URL('../src', import.meta.url)).filter((name) => name.endsWith('.ts'));
    assert.ok(root.length <= 4, `src/ root holds ${root.length} .ts files: ${root.join(', ')}`);
  });
});

describe('the checker itself', () => {
  const edge = (from: string, to: string): Edge => ({ from, to, specifier: to });

  it('sees import, import type, export from, import() in code and types, and new URL(…, import.meta.url)', () => {
    const text = `
      import { a } from './a.ts';
      import type { B } from '../b.ts';
      export { c } from './c.ts';
      export * from './d.ts';
      type E = import('./e.ts').E;
      const f = await import('./f.ts');
      const g = new URL('./g', import.meta.url);
      import { readFileSync } from 'node:fs';
      // import { h } from './h.ts';
    `;
    assert.deepEqual(importsOf('x.ts', text), ['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts', './f.ts', './g']);
  });

  it('fails on an upward import, naming file, import and both layers', () => {
    const problems = upwardImports([
      edge('src/protocol/message.ts', 'src/base/text.ts'), // down: fine
      edge('src/run/run.ts', 'src/report/model.ts'), // same layer: fine
      edge('src/client/http.ts', 'src/conversation/index.ts'), // up
    ]);
    assert.deepEqual(problems, ["src/client/http.ts (layer client) imports 'src/conversation/index.ts' (layer conversation), which is above it"]);
  });

  it('places ai between conversation and client', () => {
    assert.deepEqual(upwardImports([edge('src/conversation/judge.ts', 'src/ai/judge.ts'), edge('src/ai/judge.ts', 'src/client/http.ts')]), []);
    assert.equal(upwardImports([edge('src/ai/judge.ts', 'src/conversation/index.ts')]).length, 1);
    assert.equal(upwardImports([edge('src/client/http.ts', 'src/ai/judge.ts')]).length, 1);
  });

  it('config sits on base: everything above may read it, base may not', () => {
    assert.deepEqual(upwardImports([edge('src/protocol/message.ts', 'src/config.ts'), edge('src/config.ts', 'src/base/url.ts')]), []);
    assert.equal(upwardImports([edge('src/base/url.ts', 'src/config.ts')]).length, 1);
  });

  it('fails on a folder that has no layer', () => {
    assert.match(upwardImports([edge('src/run/run.ts', 'src/plugins/x.ts')])[0]!, /folder 'plugins' has no layer/);
  });

  it('finds a cycle, type-only or not, and prints it', () => {
    const cycles = importCycles([
      edge('src/run/run.ts', 'src/run/redis.ts'),
      edge('src/run/redis.ts', 'src/run/shared.ts'),
      edge('src/run/shared.ts', 'src/run/run.ts'),
      edge('src/run/run.ts', 'src/base/text.ts'),
      edge('src/a.ts', 'src/a.ts'),
    ]);
    assert.deepEqual(cycles.map((c) => c.join(' → ')).sort(), [
      'src/a.ts → src/a.ts',
      'src/run/redis.ts → src/run/shared.ts → src/run/run.ts → src/run/redis.ts',
    ]);
  });
});
