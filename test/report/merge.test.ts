// Merging the message files of several runs (CI shards) into one report: every scenario once,
// each feature once with its scenarios in file order, one coverage summary over all
// transcripts, the run's span and success combined, and runs kept apart even when their ids collide.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeRuns, namespaced, type Envelope } from '../../src/report/index.ts';
import { T0, TranscriptBuilder, msg, runEnvelopes, type ScenarioSpec } from './helpers.ts';

const scenario = (name: string, reply: string, status = 'PASSED'): ScenarioSpec => ({
  name,
  steps: [
    { keyword: 'When', text: 'the user says "hi"', status: 'PASSED', ms: 5 },
    { keyword: 'Then', text: `the bot replies "${reply}"`, status, ms: 20, ...(status === 'FAILED' ? { message: 'Timed out' } : {}) },
  ],
  transcript: new TranscriptBuilder().says(0, 'hi').bot(10, (at) => msg.buttons(reply, [{ title: `${reply} button`, payload: reply }], at)).build(),
});

/** Puts each named scenario of the gherkin documents at the given line (as in the real file). */
function atLines(envelopes: Envelope[], lines: Record<string, number>): Envelope[] {
  for (const e of envelopes) {
    for (const c of e.gherkinDocument?.feature?.children ?? []) if (c.scenario && lines[c.scenario.name] !== undefined) c.scenario.location.line = lines[c.scenario.name]!;
  }
  return envelopes;
}

const LINES = { one: 3, two: 10, three: 20, four: 5 };
// Shard 1 ran one and three of a.feature; shard 2 ran two of a.feature and b.feature; both use the same counters for ids.
const shard1 = (): Envelope[] => atLines(runEnvelopes([{ uri: 'features/a.feature', name: 'Alpha', scenarios: [scenario('one', 'A'), scenario('three', 'C')] }], T0), LINES);
const shard2 = (status = 'PASSED'): Envelope[] =>
  atLines(runEnvelopes([{ uri: 'features/a.feature', name: 'Alpha', scenarios: [scenario('two', 'B', status)] }, { uri: 'features/b.feature', name: 'Beta', scenarios: [scenario('four', 'D')] }], T0 + 500), LINES);

describe('mergeRuns', () => {
  it('holds every scenario of every shard once, each feature once, scenarios in file order', () => {
    const { model, unfinished } = mergeRuns([{ source: 's1', envelopes: shard1() }, { source: 's2', envelopes: shard2() }]);
    assert.deepEqual(unfinished, []);
    assert.deepEqual(model.features.map((f) => [f.uri, f.scenarios.map((s) => s.name)]), [
      ['features/a.feature', ['one', 'two', 'three']],
      ['features/b.feature', ['four']],
    ]);
    assert.equal(model.counts.total, 4);
    assert.equal(model.counts.passed, 4);
    assert.equal(model.success, true);
    // Steps keep their keywords: each shard's pickles resolve against that shard's own documents.
    assert.deepEqual(model.features[0]!.scenarios[1]!.steps.map((s) => s.keyword.trim()), ['When', 'Then']);
  });

  it('computes one coverage summary over all shards, and the run span from first start to last finish', () => {
    const a = shard1();
    const b = shard2();
    const { model } = mergeRuns([{ source: 's1', envelopes: a }, { source: 's2', envelopes: b }]);
    assert.equal(model.coverage.conversations, 4);
    assert.equal(model.coverage.total, 4, 'four distinct buttons offered across the shards');
    const start = (es: Envelope[]): number => es.find((e) => e.testRunStarted)!.testRunStarted!.timestamp.seconds * 1000 + es.find((e) => e.testRunStarted)!.testRunStarted!.timestamp.nanos / 1e6;
    assert.equal(model.startedAt, start(a));
    assert.ok(model.finishedAt! > start(b));
  });

  it('fails the merged run when one shard failed or never finished', () => {
    assert.equal(mergeRuns([{ source: 's1', envelopes: shard1() }, { source: 's2', envelopes: shard2('FAILED') }]).model.success, false);
    const cut = shard2().filter((e) => !e.testRunFinished);
    const merged = mergeRuns([{ source: 's1', envelopes: shard1() }, { source: 'crashed.ndjson', envelopes: cut }]);
    assert.deepEqual(merged.unfinished, ['crashed.ndjson']);
    assert.equal(merged.model.success, false);
    assert.equal(merged.model.counts.total, 4, "the crashed shard's finished scenarios are still reported");
  });

  it('keeps two runs apart even when their ids are the same (the same file twice)', () => {
    const { model } = mergeRuns([{ source: 'x', envelopes: shard1() }, { source: 'x again', envelopes: shard1() }]);
    assert.deepEqual(model.features[0]!.scenarios.map((s) => s.name), ['one', 'one', 'three', 'three']);
  });
});

describe('namespaced', () => {
  it('prefixes ids and id references only', () => {
    const e: Envelope = {
      testCase: { id: 'c1', pickleId: 'p1', testSteps: [{ id: 's1', pickleStepId: 'ps1' }, { id: 's2', hookId: 'h1' }] },
    };
    assert.deepEqual(namespaced(e, 'r1-'), {
      testCase: { id: 'r1-c1', pickleId: 'r1-p1', testSteps: [{ id: 'r1-s1', pickleStepId: 'r1-ps1' }, { id: 'r1-s2', hookId: 'r1-h1' }] },
    });
    const a: Envelope = { attachment: { body: '{"id":"keep"}', contentEncoding: 'IDENTITY', mediaType: 'text/plain', testCaseStartedId: 't1' } };
    assert.deepEqual(namespaced(a, 'r2-').attachment, { ...a.attachment, testCaseStartedId: 'r2-t1' });
  });
});
