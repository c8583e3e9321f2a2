// Every example of the phrase catalogue (`apichat-bdd steps`) runs, after its `given` steps, as
// one scenario against the simulator's demo bot: the documentation cannot show a step that does
// not work. Phrases that need a language model (needsModel) are listed but not run here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PHRASES, type Phrase } from '../../src/conversation/phrases.ts';
import { FIXTURE_CONFIG, runCucumber } from '../support/cucumber.ts';

/** Gherkin for one phrase: its given steps, then its example (and data table). */
export function exampleScenario(p: Phrase): string {
  const table = (p.table ?? []).map((row) => `      | ${row.join(' | ')} |`);
  return [`  Scenario: ${p.id}`, ...[...(p.given ?? []), p.example].map((s) => `    ${s}`), ...table].join('\n');
}

test('every phrase example in the catalogue passes against the demo bot', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'apichat-phrases-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const runnable = PHRASES.filter((p) => !p.needsModel);
  const file = join(dir, 'phrases.feature');
  writeFileSync(file, `Feature: The phrase catalogue's examples\n\n${runnable.map(exampleScenario).join('\n\n')}\n`);
  const r = await runCucumber(['--config', FIXTURE_CONFIG, file]);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, new RegExp(`${runnable.length} scenarios \\(${runnable.length} passed\\)`), r.output);
});
