// The editor integration as a new user meets it: the package from `npm pack` installed into a
// fresh project, `apichat-bdd init`, and the real Cucumber language server (what VS Code's
// official Cucumber extension runs) over stdio with the settings init wrote in
// .vscode/settings.json, handed over as the extension does: in answer to workspace/configuration.
// It completes the built-in phrases and finds every built-in step defined (each catalogue
// example, of every kind) but a typo. The tarball and its install are the ones the integration tests share (test/support/packed.ts).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { PHRASES } from '../../src/conversation/phrases.ts';
import { installedProject, NOT_NPM, ok } from '../support/packed.ts';
import { ROOT, run } from '../support/process.ts';

const WORK = mkdtempSync(join(tmpdir(), 'apichat-editor-'));
// EDITOR_TEST_PROJECT: reuse a project an earlier run kept (KEEP_EDITOR_PROJECT=1), skipping pack and install.
const REUSED = process.env.EDITOR_TEST_PROJECT;
const PROJECT = REUSED ?? join(WORK, 'bot-repo');
const LAUNCHER = join(ROOT, 'test/support/cucumber-language-server.cjs');

before(async () => {
  if (REUSED) return;
  await installedProject(PROJECT);
  ok(await run('npx', ['apichat-bdd', 'init'], { cwd: PROJECT, drop: NOT_NPM, timeoutMs: 120_000 }), 'apichat-bdd init');
});

after(() => {
  if (process.env.KEEP_EDITOR_PROJECT) console.log(`kept ${PROJECT}`);
  else rmSync(WORK, { recursive: true, force: true });
});

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

/** A minimal LSP client: Content-Length framing, requests both ways, notifications awaited by predicate. */
class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly waiters: Array<{ method: string; match: (p: unknown) => boolean; resolve: (p: unknown) => void; reject: (e: Error) => void }> = [];
  readonly log: string[] = [];

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly answer: (method: string, params: unknown) => unknown,
  ) {
    child.stdout.on('data', (chunk: Buffer) => this.feed(chunk));
    // A server that dies fails every wait at once, instead of leaving the test pending.
    child.once('exit', (code) => {
      const e = new Error(`the language server exited (code ${code})`);
      for (const p of this.pending.values()) p.reject(e);
      for (const w of this.waiters.splice(0)) w.reject(e);
    });
  }

  private feed(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    if (msg.method !== undefined && msg.id !== undefined) {
      this.send({ id: msg.id, result: this.answer(msg.method, msg.params) ?? null });
    } else if (msg.method !== undefined) {
      if (msg.method === 'window/logMessage') this.log.push((msg.params as { message: string }).message);
      for (const w of [...this.waiters]) {
        if (w.method === msg.method && w.match(msg.params)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg.params);
        }
      }
    } else if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    }
  }

  private send(msg: Message): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The next notification of this method whose params satisfy `match` (one already logged counts for log messages). */
  next<T>(method: string, match: (p: T) => boolean = () => true): Promise<T> {
    return new Promise<T>((resolve, reject) => this.waiters.push({ method, match: match as (p: unknown) => boolean, resolve: resolve as (p: unknown) => void, reject }));
  }
}

interface Diagnostic {
  range: { start: { line: number } };
  message: string;
}

test('the Cucumber language server, with the settings init wrote, completes the built-in phrases and flags only a typo as undefined', { timeout: 120_000 }, async (t) => {
  const settings = JSON.parse(readFileSync(join(PROJECT, '.vscode/settings.json'), 'utf8')) as Record<string, unknown>;
  // VS Code answers workspace/configuration for section "cucumber" with the cucumber.* settings.
  const cucumber = Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith('cucumber.')).map(([k, v]) => [k.slice('cucumber.'.length), v]));
  const child = spawn(process.execPath, [LAUNCHER, '--stdio'], { cwd: PROJECT, stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lsp = new LspClient(child, (method) => (method === 'workspace/configuration' ? [cucumber] : null));
  const context = (): string => `\n--- server log ---\n${lsp.log.join('\n')}\n--- stderr ---\n${stderr}`;

  const rootUri = pathToFileURL(PROJECT).href;
  const indexed = lsp.next<{ message: string }>('window/logMessage', (p) => /Built \d+ suggestions/.test(p.message));
  await lsp.request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bot-repo' }],
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { completion: { completionItem: { snippetSupport: true } } } },
  });
  lsp.notify('initialized', {});
  await indexed;
  assert.ok(lsp.log.some((l) => /Found \d+ glue file\(s\) in .*node_modules\/apichat-bdd\/dist\/steps/.test(l)), context());
  // The built-in steps and the one custom step of init's steps/example.steps.ts.
  assert.ok(lsp.log.includes(`* Found ${PHRASES.length + 1} step definitions in those glue files`), context());

  // Every catalogue example after its given steps (every kind of step, tables included), then a typo.
  const lines = ['Feature: Written in the editor', '', '  Scenario: Every built-in phrase'];
  for (const p of PHRASES) {
    for (const s of [...(p.given ?? []), p.example]) lines.push(`    ${s}`);
    for (const row of p.table ?? []) lines.push(`      | ${row.join(' | ')} |`);
  }
  const typoLine = lines.length;
  lines.push('    Then the bot shows the buttons "Rooms", "Book"');
  const completionLine = lines.length;
  lines.push('    When the user ta');
  const uri = pathToFileURL(join(PROJECT, 'features/editor.feature')).href;
  const diagnostics = lsp.next<{ uri: string; diagnostics: Diagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri);
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'cucumber', version: 1, text: `${lines.join('\n')}\n` } });

  const { diagnostics: found } = await diagnostics;
  // The unfinished line typed for completion is undefined too, of course: it is left out.
  const undefinedLines = found.filter((d) => /undefined/i.test(d.message) && d.range.start.line !== completionLine).map((d) => d.range.start.line);
  assert.deepEqual(undefinedLines, [typoLine], `only the typo (line ${typoLine}) is undefined:\n${found.map((d) => `${d.range.start.line}: ${d.message}`).join('\n')}${context()}`);

  type Item = { label: string; insertText?: string; textEdit?: { newText: string } };
  const completion = await lsp.request<Item[] | { items: Item[] }>('textDocument/completion', {
    textDocument: { uri },
    position: { line: completionLine, character: lines[completionLine]!.length },
  });
  const items = Array.isArray(completion) ? completion : completion.items;
  const taps = items.find((i) => i.label === '{user} taps/tap {string}');
  assert.ok(taps, `completion offers the taps phrase: ${JSON.stringify(items)}${context()}`);
  assert.match(taps.textEdit?.newText ?? taps.insertText ?? '', /taps/, JSON.stringify(taps));
});
