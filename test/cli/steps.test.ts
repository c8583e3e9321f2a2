// `apichat-bdd steps`: the phrase catalogue as text, Markdown (= docs/phrases.md) and JSON.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { main } from '../../src/cli.ts';
import { PHRASES } from '../../src/conversation/phrases.ts';
import { Capture } from './helpers.ts';

async function steps(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main({ argv: ['steps', ...args], env: {}, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('apichat-bdd steps', () => {
  it('--format json lists every phrase with its example and what it checks', async () => {
    const r = await steps('--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as Array<{ id: string; pattern: string; phrase: string; example: string; checks: string }>;
    assert.deepEqual(list.map((p) => p.pattern), PHRASES.map((p) => p.pattern));
    const taps = list.find((p) => p.id === 'taps');
    assert.equal(taps?.phrase, 'the user taps {string}');
    assert.equal(taps?.example, 'When the user taps "Rooms"');
    for (const p of list) assert.ok(p.checks.length > 10, p.id);
  });

  it('docs/phrases.md is exactly `apichat-bdd steps --format md` (regenerate it with that command)', async () => {
    const r = await steps('--format', 'md');
    assert.equal(r.code, 0, r.stderr);
    const doc = readFileSync(new URL('../../docs/phrases.md', import.meta.url), 'utf8');
    assert.equal(doc, r.stdout, 'docs/phrases.md is stale: run `node --import tsx bin/apichat-bdd.js steps --format md > docs/phrases.md`');
    for (const p of PHRASES) assert.ok(doc.includes(p.example.replace(/\|/g, '\\|')), p.example);
  });

  it('prints text by default; an unknown format is one line, exit 2', async () => {
    const text = await steps();
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^When the user taps \{string\}\n {4}Taps a postback button.*\n {4}e\.g\. When the user taps "Rooms"$/m);
    const bad = await steps('--format', 'xml');
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'apichat-bdd: steps: unknown --format "xml"; use one of text, md, json\n');
  });
});
