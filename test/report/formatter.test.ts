// The formatter plugin: the .mjs entry has the shape Cucumber 12 loads (type "formatter"), the
// page is written once, when the run finishes (or at cleanup if it never does), and the
// report's path is left for the coordinator plugin's coverage line.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { processState } from '../../src/run/process-state.ts';
import { conversationReportFormatter, type FormatterContext } from '../../src/report/formatter.ts';
import type { Envelope } from '../../src/report/index.ts';
import { richTranscript, runEnvelopes } from './helpers.ts';

function fakeContext(extra: Partial<FormatterContext> = {}): { ctx: FormatterContext; emit: (e: Envelope) => void; written: string[]; logged: string[] } {
  const handlers: Array<(e: Envelope) => void> = [];
  const written: string[] = [];
  const logged: string[] = [];
  const ctx: FormatterContext = {
    on: (_key, handler) => void handlers.push(handler),
    options: { title: 'My <bot> report' },
    logger: { warn: (m) => void logged.push(m), error: (m) => void logged.push(m) },
    stream: new PassThrough(),
    write: (b) => void written.push(String(b)),
    ...extra,
  };
  return { ctx, emit: (e) => handlers.forEach((h) => h(e)), written, logged };
}

const run = (): Envelope[] =>
  runEnvelopes([{ uri: 'features/a.feature', name: 'A', scenarios: [{ name: 'chat', transcript: richTranscript(), steps: [{ keyword: 'When', text: 'the user says "hi"', status: 'PASSED' }] }] }]);

test('writes the page once, when testRunFinished arrives; cleanup does not write it again', () => {
  const { ctx, emit, written } = fakeContext();
  const cleanup = conversationReportFormatter(ctx);
  const envelopes = run();
  for (const e of envelopes.slice(0, -1)) emit(e);
  assert.equal(written.length, 0);
  emit(envelopes.at(-1)!);
  assert.equal(written.length, 1);
  assert.ok(written[0]!.startsWith('<!doctype html>'));
  assert.ok(written[0]!.includes('<title>My &lt;bot&gt; report</title>'));
  assert.ok(written[0]!.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  cleanup();
  assert.equal(written.length, 1);
});

test('a run that never finishes (parse errors) still gets a page at cleanup', () => {
  const { ctx, written } = fakeContext();
  conversationReportFormatter(ctx)();
  assert.equal(written.length, 1);
  assert.ok(written[0]!.includes('0 scenarios'));
});

test('records the file it writes to for the coverage line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apichat-report-'));
  writeFileSync(join(dir, 'other.html'), 'not this one');
  const fd = openSync(join(dir, 'out.html'), 'w');
  try {
    const { ctx } = fakeContext({ stream: Object.assign(new PassThrough(), { fd }), directory: dir });
    const cleanup = conversationReportFormatter(ctx);
    const recorded = processState().reportPath;
    assert.equal(recorded, join(dir, 'out.html'));
    cleanup();
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    delete processState().reportPath;
  }
});

test('a file target is never empty: a placeholder at once, then the whole page by rename (no temporary file left)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apichat-report-'));
  const file = join(dir, 'out.html');
  const fd = openSync(file, 'w'); // as Cucumber opens it: truncated
  try {
    const { ctx, emit, written } = fakeContext({ stream: Object.assign(new PassThrough(), { fd }), directory: dir });
    conversationReportFormatter(ctx);
    assert.match(readFileSync(file, 'utf8'), /^<!doctype html>.*still going, or was killed/);
    const before = statSync(file).ino;
    for (const e of run()) emit(e);
    const html = readFileSync(file, 'utf8');
    assert.ok(html.startsWith('<!doctype html>') && html.includes('My &lt;bot&gt; report') && html.trimEnd().endsWith('</html>'), html.slice(0, 200));
    assert.notEqual(statSync(file).ino, before, 'renamed into place, not written through the open file');
    assert.deepEqual(readdirSync(dir), ['out.html']);
    assert.deepEqual(written, [], 'nothing went through the stream');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    delete processState().reportPath;
  }
});

test('steps/report-formatter.mjs is a Cucumber 12 formatter plugin that delegates to src/report', async () => {
  const mod = (await import(pathToFileURL(resolve('steps/report-formatter.mjs')).href)) as { default: { type: string; optionsKey: string; formatter: (ctx: FormatterContext) => Promise<() => void> } };
  assert.equal(mod.default.type, 'formatter');
  assert.equal(mod.default.optionsKey, 'conversationReport');
  const { ctx, emit, written } = fakeContext();
  const cleanup = await mod.default.formatter(ctx);
  for (const e of run()) emit(e);
  assert.equal(written.length, 1);
  assert.equal(typeof cleanup, 'function');
});
