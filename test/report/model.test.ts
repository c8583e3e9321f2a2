// The report model from Cucumber envelopes: features in file order, scenarios in pickle order
// (whatever order workers finished them), statuses, durations, retries, transcripts (identity
// or base64), and the first failing step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReportBuilder, buildReport, renderReportHtml, toStatus, worstStatus, type Envelope } from '../../src/report/index.ts';
import { T0, TranscriptBuilder, msg, richTranscript, runEnvelopes } from './helpers.ts';

const passing = (name: string, extra: Partial<Parameters<typeof runEnvelopes>[0][number]['scenarios'][number]> = {}) => ({
  name,
  steps: [
    { keyword: 'Given', text: 'a new conversation', status: 'PASSED', ms: 5 },
    { keyword: 'When', text: 'the user says "hi"', status: 'PASSED', ms: 20 },
  ],
  ...extra,
});

function envelopes(): Envelope[] {
  return runEnvelopes([
    {
      uri: 'features/a.feature',
      name: 'Alpha',
      scenarios: [
        passing('first', { transcript: new TranscriptBuilder().says(0, 'hi').bot(10, (at) => msg.text('Hello', at)).build(), tags: ['@smoke'] }),
        {
          name: 'second fails',
          transcript: richTranscript(),
          base64: true,
          steps: [
            { keyword: 'Given', text: 'a new conversation', status: 'PASSED' },
            { keyword: 'Then', text: 'the bot replies "Goodbye!"', status: 'FAILED', ms: 1500, message: 'Timed out after 1500 ms' },
            { keyword: 'And', text: 'the bot says nothing more', status: 'SKIPPED', ms: 0 },
          ],
        },
      ],
    },
    { uri: 'features/b.feature', name: 'Beta', scenarios: [passing('flaky', { retriedWith: 'FAILED' })] },
  ]);
}

test('features in document order with their scenarios, names, keywords, lines and tags', () => {
  const m = buildReport(envelopes());
  assert.deepEqual(
    m.features.map((f) => [f.uri, f.name, f.description, f.scenarios.map((s) => [s.name, s.keyword, s.line, s.tags])]),
    [
      ['features/a.feature', 'Alpha', 'About this feature.', [['first', 'Scenario', 3, ['@smoke']], ['second fails', 'Scenario', 13, []]]],
      ['features/b.feature', 'Beta', 'About this feature.', [['flaky', 'Scenario', 3, []]]],
    ],
  );
});

test('statuses, counts, durations and the first failing step', () => {
  const m = buildReport(envelopes());
  const [first, second] = m.features[0]!.scenarios;
  assert.equal(first!.status, 'passed');
  assert.equal(second!.status, 'failed');
  assert.deepEqual({ total: m.counts.total, passed: m.counts.passed, failed: m.counts.failed }, { total: 3, passed: 2, failed: 1 });
  assert.equal(first!.durationMs, 27); // 5 + 20 + the After hook's 2
  assert.deepEqual(second!.failure, { step: 'Then the bot replies "Goodbye!"', status: 'failed', message: 'Timed out after 1500 ms' });
  assert.deepEqual(
    second!.steps.map((s) => [s.keyword, s.text, s.status, s.durationMs]),
    [
      ['Given ', 'a new conversation', 'passed', 10],
      ['Then ', 'the bot replies "Goodbye!"', 'failed', 1500],
      ['And ', 'the bot says nothing more', 'skipped', 0],
    ],
  );
  assert.equal(m.success, false);
  assert.ok(m.startedAt === T0 && m.finishedAt !== null && m.durationMs > 1500);
});

test('transcripts are read from identity and base64 attachments', () => {
  const m = buildReport(envelopes());
  const [first, second] = m.features[0]!.scenarios;
  assert.equal(first!.transcripts.length, 1);
  assert.deepEqual(second!.transcripts, [richTranscript()]);
});

test('a retried scenario appears once, as its final attempt', () => {
  const m = buildReport(envelopes());
  const flaky = m.features[1]!.scenarios;
  assert.equal(flaky.length, 1);
  assert.deepEqual([flaky[0]!.attempt, flaky[0]!.status], [1, 'passed']);
});

test('scenarios keep pickle order when parallel workers finish them out of order', () => {
  const all = envelopes();
  // Move the first scenario's execution envelopes after everything else but testRunFinished.
  const firstStarted = all.find((e) => e.testCaseStarted)!.testCaseStarted!.id;
  const belongs = (e: Envelope): boolean =>
    e.testCaseStarted?.id === firstStarted || e.testStepFinished?.testCaseStartedId === firstStarted || e.attachment?.testCaseStartedId === firstStarted || e.testCaseFinished?.testCaseStartedId === firstStarted;
  const moved = all.filter(belongs);
  const rest = all.filter((e) => !belongs(e));
  const m = buildReport([...rest.slice(0, -1), ...moved, rest.at(-1)!]);
  assert.deepEqual(
    m.features[0]!.scenarios.map((s) => s.name),
    ['first', 'second fails'],
  );
});

test('coverage is computed from the transcripts of the final attempts', () => {
  const m = buildReport(envelopes());
  assert.equal(m.coverage.conversations, 2);
  assert.equal(m.coverage.exercised, 2);
});

test('other attachments are ignored; a broken transcript does not break the report', () => {
  const b = new ReportBuilder();
  const all = envelopes();
  for (const e of all.slice(0, -1)) b.add(e);
  const started = all.find((e) => e.testCaseStarted)!.testCaseStarted!.id;
  b.add({ attachment: { testCaseStartedId: started, mediaType: 'text/plain', contentEncoding: 'IDENTITY', body: 'hello' } });
  b.add({ attachment: { testCaseStartedId: started, mediaType: 'application/vnd.apichat.transcript+json', contentEncoding: 'IDENTITY', body: '{oops' } });
  assert.equal(b.finished, false);
  b.add(all.at(-1)!);
  assert.equal(b.finished, true);
  assert.equal(b.build().features[0]!.scenarios[0]!.transcripts.length, 1);
});

test('status helpers follow Cucumber: the worst step decides', () => {
  assert.equal(toStatus('PASSED'), 'passed');
  assert.equal(toStatus('WHATEVER'), 'unknown');
  assert.equal(worstStatus(['passed', 'skipped', 'failed', 'undefined']), 'failed');
  assert.equal(worstStatus(['passed', 'undefined', 'pending']), 'undefined');
  assert.equal(worstStatus([]), 'passed');
});

test('an undefined step carries "did you mean" with the nearest built-in phrases, in the step list and the failure', () => {
  const model = buildReport(
    runEnvelopes([
      {
        uri: 'features/typo.feature',
        name: 'Typo',
        scenarios: [
          {
            name: 'stray word',
            steps: [
              { keyword: 'When', text: 'the user says "hi"', status: 'PASSED' },
              { keyword: 'Then', text: 'the bot shows the buttons "Rooms", "Book"', status: 'UNDEFINED' },
              { keyword: 'And', text: 'a step of my own nobody wrote', status: 'UNDEFINED' },
            ],
          },
        ],
      },
    ]),
  );
  const s = model.features[0]!.scenarios[0]!;
  assert.deepEqual(s.steps[1]!.didYouMean, ['did you mean: Then the bot shows buttons "Rooms", "Book"']);
  assert.equal(s.steps[1]!.line, 5);
  assert.equal(s.steps[2]!.didYouMean, undefined);
  assert.deepEqual(s.failure, { step: 'Then the bot shows the buttons "Rooms", "Book"', status: 'undefined', message: 'Undefined step.\ndid you mean: Then the bot shows buttons "Rooms", "Book"' });
  assert.match(renderReportHtml(model), /<span class="did-you-mean">did you mean: Then the bot shows buttons &(quot|#34);Rooms/);
});
