// Issue 18's CI outputs from hand-made envelopes: flaky scenarios in the model, the page and the
// console lines; the JUnit XML against the Surefire schema's structure; GitHub annotations
// (escaping, the 10-per-step limit) and the job summary (its size limit).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANNOTATIONS_PER_STEP,
  annotationLines,
  buildReport,
  escapeData,
  escapeProperty,
  failOnFlaky,
  flakyLines,
  jobSummary,
  renderJunitXml,
  renderReportHtml,
  workflowCommand,
} from '../../src/report/index.ts';
import { parseXml, surefireProblems } from '../support/surefire-schema.ts';
import { FAILURE, richTranscript, runEnvelopes, type ScenarioSpec } from './helpers.ts';

const passing = (name: string, extra: Partial<ScenarioSpec> = {}): ScenarioSpec => ({
  name,
  steps: [
    { keyword: 'Given', text: 'a new conversation', status: 'PASSED' },
    { keyword: 'Then', text: 'the bot replies "Hello"', status: 'PASSED', message: 'expected "Hello" & got <nothing>' },
  ],
  ...extra,
});
const failing = (name: string, message = FAILURE, extra: Partial<ScenarioSpec> = {}): ScenarioSpec => ({
  name,
  transcript: richTranscript(),
  steps: [
    { keyword: 'Given', text: 'a new conversation', status: 'PASSED' },
    { keyword: 'Then', text: 'the bot replies "Goodbye!"', status: 'FAILED', message },
    { keyword: 'And', text: 'the bot says nothing more', status: 'SKIPPED' },
  ],
  ...extra,
});

function run() {
  return buildReport(
    runEnvelopes([
      { uri: 'features/a.feature', name: 'Alpha', scenarios: [passing('steady'), passing('flaky one', { retriedWith: 'FAILED' }), failing('always fails', FAILURE, { retriedWith: 'FAILED' })] },
      { uri: 'features/b.feature', name: 'Beta', scenarios: [{ name: 'undefined step', steps: [{ keyword: 'Given', text: 'nothing like it', status: 'UNDEFINED' }] }] },
    ]),
  );
}

test('flaky: passed after a failed attempt; every attempt kept; the console lines and APICHAT_FAIL_ON_FLAKY', () => {
  const m = run();
  const [steady, flaky, always] = m.features[0]!.scenarios;
  assert.equal(steady!.flaky, false);
  assert.deepEqual(steady!.retried, []);
  assert.equal(flaky!.flaky, true);
  assert.equal(flaky!.attempt, 1);
  assert.deepEqual(flaky!.retried.map((r) => [r.attempt, r.status, r.failure?.step]), [[0, 'failed', 'Given a new conversation']]);
  assert.equal(always!.flaky, false, 'failing every time is a failure, not flaky');
  assert.equal(always!.retried.length, 1);
  assert.deepEqual(m.flaky.map((s) => s.name), ['flaky one']);
  assert.deepEqual(flakyLines(m, false), [
    'apichat-bdd: 1 flaky scenario (failed, then passed on a retry):',
    '  features/a.feature:13 flaky one — passed on attempt 2 (attempt 1 failed: Given a new conversation)',
  ]);
  assert.match(flakyLines(m, true).at(-1)!, /APICHAT_FAIL_ON_FLAKY=1: the run fails/);
  assert.deepEqual(flakyLines({ flaky: [] }, true), []);
  assert.deepEqual(['1', 'true', 'YES', '0', '', undefined].map((v) => failOnFlaky({ APICHAT_FAIL_ON_FLAKY: v })), [true, true, true, false, false, false]);
});

test('the conversation report: a flaky badge and the failed attempt with its failure', () => {
  const html = renderReportHtml(run());
  const flaky = html.slice(html.indexOf('data-name="flaky one"'), html.indexOf('data-name="always fails"'));
  assert.match(flaky, /<span class="tag flaky"[^>]*>flaky<\/span>/);
  assert.match(flaky, /<details class="attempt failed" data-attempt="1" open>/);
  assert.match(flaky, /Attempt 1 of 2 <span class="attempt-what">failed: Given a new conversation/);
  assert.match(html, /<span class="pill flaky"[^>]*>1 flaky<\/span>/);
  const always = html.slice(html.indexOf('data-name="always fails"'));
  assert.doesNotMatch(always.slice(0, always.indexOf('</details>\n</section>')), /tag flaky/);
});

test('JUnit XML conforms to the Surefire schema: flakyFailure inside the flaky testcase, rerunFailure beside a failure, error for an undefined step', () => {
  const xml = renderJunitXml(run());
  const root = parseXml(xml);
  assert.deepEqual(surefireProblems(root), []);
  assert.deepEqual(root.attributes, { name: 'apichat-bdd', tests: '4', failures: '1', errors: '1', skipped: '0', time: root.attributes.time! });
  const byName = new Map(root.children.map((c) => [c.attributes.name, c]));
  const flaky = byName.get('flaky one')!;
  assert.equal(flaky.attributes.classname, 'Alpha');
  assert.deepEqual(flaky.children.map((c) => c.name), ['flakyFailure']);
  const ff = flaky.children[0]!;
  assert.equal(ff.attributes.type, 'failed');
  assert.match(ff.attributes.message!, /^Given a new conversation: /);
  assert.equal(ff.children[0]!.name, 'stackTrace');
  const always = byName.get('always fails')!;
  assert.deepEqual(always.children.map((c) => c.name), ['failure', 'rerunFailure', 'system-out']);
  assert.equal(always.children[0]!.text, `Then the bot replies "Goodbye!"\n${FAILURE}`, 'the message survives XML escaping (<script>, quotes)');
  assert.match(always.children[2]!.text, /user says "hi"/);
  assert.deepEqual(byName.get('undefined step')!.children.map((c) => [c.name, c.attributes.type]), [['error', 'undefined']]);
  assert.deepEqual(byName.get('steady')!.children, []);
  // The checker itself rejects what the schema rejects.
  assert.notDeepEqual(surefireProblems(parseXml('<testsuite name="x" tests="1" errors="0" skipped="0" failures="0"><testcase name="a" time="1"><system-out>o</system-out><flakyFailure type="f"><stackTrace>s</stackTrace></flakyFailure></testcase></testsuite>')), []);
  assert.notDeepEqual(surefireProblems(parseXml('<testsuite name="x" tests="1" errors="0" skipped="0" failures="0"><testcase name="a" time="1"><flakyFailure><system-out>o</system-out></flakyFailure></testcase></testsuite>')), []);
});

test('workflow commands: % CR LF escaped in the message; in properties also : and ,', () => {
  const message = '100% sure: yes, no\r\nnext line\nlast';
  assert.equal(escapeData(message), '100%25 sure: yes, no%0D%0Anext line%0Alast');
  assert.equal(escapeProperty('flaky: a, b 100%\n'), 'flaky%3A a%2C b 100%25%0A');
  assert.equal(
    workflowCommand('error', { file: 'features/a b.feature', line: 7, title: 'Greeting: hi, there' }, message),
    '::error file=features/a b.feature,line=7,title=Greeting%3A hi%2C there::100%25 sure: yes, no%0D%0Anext line%0Alast',
  );
});

test('annotations: one ::error per failed step at its line, ::warning per flaky scenario, past 10 errors one ::notice', () => {
  const m = run();
  const lines = annotationLines(m);
  assert.deepEqual(lines.map((l) => l.split('::')[1]), [
    'error file=features/a.feature,line=25,title=always fails',
    'error file=features/b.feature,line=4,title=undefined step',
    'warning file=features/a.feature,line=13,title=flaky%3A flaky one',
  ]);
  assert.ok(lines[0]!.endsWith(`::${escapeData(`Then the bot replies "Goodbye!"\n${FAILURE}`)}`));
  const many = buildReport(runEnvelopes([{ uri: 'features/m.feature', name: 'Many', scenarios: Array.from({ length: 13 }, (_, i) => failing(`fails ${i}`)) }]));
  const out = annotationLines(many);
  assert.equal(out.filter((l) => l.startsWith('::error ')).length, ANNOTATIONS_PER_STEP);
  assert.deepEqual(out.filter((l) => l.startsWith('::notice ')), ['::notice title=apichat-bdd::3 more failed steps not annotated (GitHub shows 10 per step): see the job summary and the conversation report']);
});

test('job summary: counts, each failure with its message and diff, flaky, coverage; cut to the limit', () => {
  const md = jobSummary(run());
  assert.match(md, /\| 4 \| 2 \| 2 \| 1 \| 0 \|/);
  assert.match(md, /#### ✗ always fails\n\n`features\/a\.feature:25` Then the bot replies "Goodbye!"\n\n```text\nTimed out after 1500 ms/);
  assert.match(md, /### Flaky[^\n]*\n\n- features\/a\.feature:13 flaky one — passed on attempt 2/);
  assert.match(md, /### Bot coverage\n\nbuttons exercised: /);
  const fence = jobSummary(buildReport(runEnvelopes([{ uri: 'f.feature', name: 'F', scenarios: [failing('fence', 'a ``` b')] }])));
  assert.match(fence, /````text\na ``` b\n````/, 'a message with ``` cannot close its block');
  const huge = buildReport(runEnvelopes([{ uri: 'features/h.feature', name: 'Huge', scenarios: Array.from({ length: 80 }, (_, i) => failing(`big ${i}`, `${'x'.repeat(19_000)}\n${'é'.repeat(1000)}`)) }]));
  const limit = 1024 * 1024 - 16 * 1024;
  const cut = jobSummary(huge);
  assert.ok(Buffer.byteLength(cut) <= limit, `${Buffer.byteLength(cut)} bytes`);
  assert.ok(Buffer.byteLength(cut) > limit - 50_000, 'fills the space it has');
  assert.match(cut, /… and \d+ more failures, left out to keep this summary under GitHub's 1 MiB/);
});

test('JUnit: test cases that share a name in one feature (outline rows) get their line', () => {
  const xml = renderJunitXml(buildReport(runEnvelopes([{ uri: 'features/o.feature', name: 'Outline', scenarios: [passing('row'), passing('row'), passing('other')] }])));
  assert.deepEqual(parseXml(xml).children.map((c) => c.attributes.name), ['row (features/o.feature:3)', 'row (features/o.feature:13)', 'other']);
});
