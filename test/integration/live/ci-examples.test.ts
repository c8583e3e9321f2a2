// The CI examples (examples/ci/) are documentation a user copies: they must parse, run the ci
// profile, take the three keys from the CI's secret store, keep two pipelines off the one webhook,
// keep the reports of a failed run, and hold shell that bash can parse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { ROOT } from './helpers.ts';

const SECRETS = ['APICHAT_FLOW_API_KEY', 'APICHAT_WEBHOOK_SECRET', 'APICHAT_PARTNER_API_KEY'];
const EXAMPLES = { github: 'examples/ci/github-actions.yml', gitlab: 'examples/ci/gitlab-ci.yml' } as const;

function load(path: string): { text: string; doc: Record<string, any> } {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const parsed = parseDocument(text, { prettyErrors: true });
  assert.deepEqual(parsed.errors.map(String), [], `${path} parses as YAML`);
  assert.deepEqual(parsed.warnings.map(String), [], `${path} has no YAML warnings`);
  return { text, doc: parsed.toJS() as Record<string, any> };
}

function assertBashParses(script: string, where: string): void {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(r.status, 0, `${where}: bash -n says ${r.stderr}\n${script}`);
}

for (const path of Object.values(EXAMPLES)) {
  test(`${path}: parses, says how to use it, runs --profile ci, names the three secrets`, () => {
    const { text } = load(path);
    assert.match(text.split('\n')[0]!, /^# Example, not active: copy this file to /, 'the header says to copy it');
    assert.match(text, /cucumber-js --profile ci/);
    for (const name of SECRETS) assert.ok(text.includes(name), `${path} names ${name}`);
    assert.match(text, /restore/i, 'the comments say the run restores the previous webhook');
    assert.match(text, /SIGTERM/, 'also on cancel');
  });
}

test('github-actions.yml: secrets from the secret store, one run per workspace, reports kept on failure', () => {
  const { doc } = load(EXAMPLES.github);
  assert.equal(doc.concurrency?.['cancel-in-progress'], false);
  assert.match(String(doc.concurrency?.group), /APICHAT_WORKSPACE_ID/);
  const [job, ...others] = Object.values(doc.jobs as Record<string, any>);
  assert.equal(others.length, 0, 'one job');
  for (const name of SECRETS) assert.equal(job.env[name], `\${{ secrets.${name} }}`);
  for (const name of ['APICHAT_PARTNER_BASE_URL', 'APICHAT_WORKSPACE_ID']) assert.equal(job.env[name], `\${{ vars.${name} }}`);
  const steps = job.steps as Array<Record<string, any>>;
  const node = steps.find((s) => String(s.uses).startsWith('actions/setup-node'));
  assert.equal(String(node?.with?.['node-version']), '20');
  assert.ok(steps.some((s) => s.run === 'npm ci'), 'npm ci');
  const run = steps.find((s) => /cucumber-js --profile ci/.test(String(s.run)));
  assert.ok(run, 'a step runs the ci profile');
  assert.match(String(run.env?.APICHAT_PUBLIC_URL), /steps\.tunnel\.outputs\.url/, 'the tunnel URL becomes APICHAT_PUBLIC_URL');
  const upload = steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'));
  assert.equal(upload?.if, 'always()');
  assert.equal(upload?.with?.path, 'reports/');
  assert.ok(steps.indexOf(upload!) > steps.indexOf(run), 'the upload comes after the run');
  for (const s of steps) if (typeof s.run === 'string') assertBashParses(s.run, `step ${s.name ?? s.run}`);
});

test('gitlab-ci.yml: one job at a time, JUnit report, reports kept on failure', () => {
  const { doc } = load(EXAMPLES.gitlab);
  const [job, ...others] = Object.values(doc);
  assert.equal(others.length, 0, 'one job');
  assert.match(String(job.image), /^node:20/);
  assert.ok(job.resource_group, 'resource_group');
  assert.equal(job.artifacts?.when, 'always');
  assert.deepEqual(job.artifacts?.paths, ['reports/']);
  assert.equal(job.artifacts?.reports?.junit, 'reports/junit.xml');
  const lines = [...job.before_script, ...job.script] as string[];
  assert.match(lines[0]!, /^npm ci\b/);
  assert.match(job.script.at(-1), /cucumber-js --profile ci$/);
  assertBashParses(lines.join('\n'), 'before_script + script');
});

test('the ci profile the examples run writes the reports they upload', async () => {
  const config = (await import(pathToFileURL(join(ROOT, 'cucumber.js')).href)) as { ci: { format: string[]; plugin: string[] } };
  const formats = config.ci.format.join(' ');
  for (const report of ['junit-formatter.mjs:reports/junit.xml', 'html:reports/cucumber.html', 'message:reports/messages.ndjson', 'reports/conversations.html', 'github-formatter.mjs:']) {
    assert.ok(formats.includes(report), `the ci profile writes ${report}`);
  }
  assert.ok(config.ci.plugin.includes('./steps/plugin.mjs'), 'the ci profile has the plugin (it registers and restores the webhook)');
});
