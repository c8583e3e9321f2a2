// Cucumber runs as a user starts them (`node node_modules/@cucumber/cucumber/bin/cucumber.js`
// from the repository root), and the one runner of the fixture features under test/fixtures/:
// the same support code and plugin as cucumber.js, but only the named files run. Not a test file.
import assert from 'node:assert/strict';
import { context, run, start, stackLines, type RunResult, type Started } from './process.ts';

export const CUCUMBER_BIN = 'node_modules/@cucumber/cucumber/bin/cucumber.js';
/** Same support code and plugin as cucumber.js, but no `paths`: only the named files run. */
export const FIXTURE_CONFIG = 'test/fixtures/features/cucumber.fixtures.js';

/** cucumber-js `args` with `vars` on top of a clean environment (see test/support/process.ts). */
export function startCucumber(args: string[], vars: Record<string, string> = {}, timeoutMs = 180_000): Started {
  return start(process.execPath, [CUCUMBER_BIN, ...args], { vars, timeoutMs });
}

export function runCucumber(args: string[], vars: Record<string, string> = {}, timeoutMs = 180_000): Promise<RunResult> {
  return startCucumber(args, vars, timeoutMs).done;
}

/**
 * Fixture features (paths from the repository root, or names under test/fixtures/features/) run
 * with a fixture configuration (FIXTURE_CONFIG unless `config`) and any further cucumber `args`.
 */
export function runFixtures(files: string[], vars: Record<string, string> = {}, args: string[] = [], config = FIXTURE_CONFIG): Promise<RunResult> {
  const paths = files.map((f) => (f.includes('/') ? f : `test/fixtures/features/${f}`));
  return run(process.execPath, [CUCUMBER_BIN, '--config', config, ...args, ...paths], { vars });
}

export interface FailedScenario {
  /** Cucumber's failure block of the scenario: its name, steps and the failing step's message. */
  output: string;
  /** The whole run's output, for assertion messages. */
  context: string;
}

/** The one failed scenario of feature `path` in a (progress-formatted) run, whose block must hold the failure. */
export function assertFailedScenario(r: RunResult, path: string): FailedScenario {
  // "1) Scenario: Name # path:3" up to the next numbered block or the summary.
  const blocks = r.stdout.split(/^(?=\d+\) Scenario)|^(?=\d+ scenarios? \()/m).filter((b) => /^\d+\) Scenario/.test(b));
  const mine = blocks.filter((b) => b.split('\n')[0]!.includes(` # ${path}:`));
  assert.equal(mine.length, 1, `one failed scenario of ${path}${context(r)}`);
  return { output: mine[0]!, context: context(r) };
}

/** The totals of Cucumber's summary line ("3 scenarios (1 failed, 2 passed)"). */
export function scenarioSummary(r: RunResult): { total: number; passed: number; failed: number; skipped: number } {
  const m = /^(\d+) scenarios? \(([^)]*)\)$/m.exec(r.stdout);
  assert.ok(m, `a summary "N scenarios (…)"${context(r)}`);
  const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(m[2]!)?.[1] ?? 0);
  return { total: Number(m[1]), passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/**
 * Exit 0, every scenario passed (`scenarios` of them, when given), no stack trace. `skipped`:
 * how many of them are skipped instead (the @ai examples where no model is configured).
 */
export function assertPassed(r: RunResult, scenarios?: number, skipped = 0): void {
  assert.equal(r.code, 0, `exit code${context(r)}`);
  const summary = scenarioSummary(r);
  const { total, passed } = summary;
  assert.ok(total > 0, `some scenarios ran${context(r)}`);
  assert.equal(summary.skipped, skipped, `${skipped} scenarios skipped${context(r)}`);
  assert.equal(passed, total - skipped, `every scenario passed${context(r)}`);
  if (scenarios !== undefined) assert.equal(total, scenarios, `${scenarios} scenarios ran${context(r)}`);
  assert.deepEqual(stackLines(r.output), [], `no stack trace${context(r)}`);
}
