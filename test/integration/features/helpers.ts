// Runs Cucumber as a child process from the repository root, as a user would, and collects
// its exit code and output. Inherited APICHAT_* variables are dropped so a developer's live
// settings cannot change what these tests see (a .env file in the root still would).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPORT_DIR } from '../report-dir.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CUCUMBER_BIN = 'node_modules/@cucumber/cucumber/bin/cucumber.js';
/** Same support code and plugin as cucumber.js, but no `paths`: only the named file runs. */
export const FIXTURE_CONFIG = 'test/fixtures/features/cucumber.fixtures.js';

export interface CucumberRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr. */
  output: string;
  ms: number;
}

export function runCucumber(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CucumberRun> {
  const base: NodeJS.ProcessEnv = {};
  // Nor GitHub's: this repository's own CI must not get annotations or a job summary from must-fail fixtures.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('APICHAT_') && k !== 'GITHUB_ACTIONS' && k !== 'GITHUB_STEP_SUMMARY') base[k] = v;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CUCUMBER_BIN, ...args], {
      cwd: ROOT,
      env: { ...base, NO_COLOR: '1', FORCE_COLOR: '0', APICHAT_REPORT_DIR: REPORT_DIR, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: `${stdout}${stderr}`, ms: performance.now() - started }));
  });
}

/** Lines that look like a JavaScript stack frame ("    at fn (file.ts:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l) || l.includes('    at '));
}

/** Runs one must-fail fixture of test/fixtures/features/ with the fixture configuration. */
export function runFixture(name: string, timeoutMs: string, env: Record<string, string> = {}): Promise<CucumberRun> {
  return runCucumber(['--config', FIXTURE_CONFIG, `test/fixtures/features/${name}`], { APICHAT_REPLY_TIMEOUT_MS: timeoutMs, ...env });
}
