// A 500-scenario suite against the embedded simulator: wall time and peak memory, serial and
// --parallel 2. Each scenario: say, two replies, buttons, tap, carousel (5 steps, 2 turns).
// Usage: npm run bench:suite [-- --scenarios 500]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { scenarios: { type: 'string', default: '500' } } });
const N = Number(values.scenarios);

const dir = mkdtempSync(join(tmpdir(), 'apichat-bench-'));
const feature = join(dir, 'suite.feature');
const scenario = (i: number): string => `
  Scenario: guest ${i} opens the rooms
    When the user says "hi"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    When the user taps "Rooms"
    Then the bot shows a carousel with 3 cards
`;
writeFileSync(feature, `Feature: ${N} scenarios\n${Array.from({ length: N }, (_, i) => scenario(i)).join('')}`);

function run(label: string, extra: string[], env: Record<string, string> = {}): void {
  const args = ['-v', process.execPath, 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--config', 'bench/suite.cucumber.mjs', ...extra, feature];
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const summary = /(\d+ scenarios? \([^)]*\))/.exec(r.stdout)?.[1] ?? 'no summary';
  const steps = (r.stdout.match(/executing steps: ([\d:.ms]+)/) ?? [])[1] ?? '?';
  console.log(`${label}: wall ${wall.toFixed(1)} s, peak RSS of the largest process ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MiB; ${summary}; executing steps ${steps}; exit ${r.status}`);
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${N} scenarios × 5 steps`);
try {
  run('serial, derived settle', []);
  run('serial, APICHAT_SETTLE_MS=0', [], { APICHAT_SETTLE_MS: '0' });
  run('--parallel 2, derived settle', ['--parallel', '2']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
