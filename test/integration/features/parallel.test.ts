// The example suite under --parallel 2: the plugin starts one listener (and simulator) in the
// coordinator, workers reach their conversations' replies through it. Every scenario of
// features/ must pass, and none may be lost on the way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertPassed, runCucumber } from '../../support/cucumber.ts';
import { ROOT } from '../../support/process.ts';

/** Scenarios in features/: one per Scenario, one per Examples row of a Scenario Outline; `ai`: those tagged @ai (no outlines among them). */
function countScenarios(): { n: number; ai: number } {
  let n = 0;
  let ai = 0;
  let tagged = false;
  const dir = join(ROOT, 'features');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.feature'))) {
    let inExamples = false;
    let featureAi = false;
    let headerSeen = false;
    for (const raw of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('@')) tagged = /(^|\s)@ai(\s|$)/.test(line);
      if (line.startsWith('Feature:')) {
        featureAi = tagged;
        tagged = false;
      }
      if (/^(Scenario|Example):/.test(line)) {
        n++;
        if (tagged || featureAi) ai++;
        tagged = false;
      }
      if (/^(Examples|Scenarios):/.test(line)) {
        inExamples = true;
        headerSeen = false;
        continue;
      }
      if (inExamples && line.startsWith('|')) {
        if (headerSeen) n++;
        else headerSeen = true;
        continue;
      }
      inExamples = false;
    }
  }
  return { n, ai };
}

test('the example features pass with --parallel 2', async () => {
  const expected = countScenarios();
  assert.ok(expected.n >= 14, `features/ should hold at least 14 scenarios, found ${expected.n}`);
  const run = await runCucumber(['--parallel', '2'], {}, 300_000);
  // The @ai examples are skipped with one line each when no model is configured (as here).
  assertPassed(run, expected.n, expected.ai);
});
