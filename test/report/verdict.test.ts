// A model's verdict in the transcript: drawn beside its step in the HTML report and the SVG,
// written in the text transcript, counted for the run's last line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelUsage, renderTranscript, TranscriptSchema, type TranscriptData, type VerdictRecord } from '../../src/conversation/index.ts';
import { renderChat } from '../../src/report/html.ts';
import { ReportBuilder, renderConversationSvg } from '../../src/report/index.ts';
import { renderReportHtml } from '../../src/report/html.ts';
import { runEnvelopes } from './helpers.ts';

const verdict = (over: Partial<VerdictRecord> = {}): VerdictRecord => ({ kind: 'judge', pass: true, reason: 'the answer gives the check-in time', score: 0.93, model: 'gpt-4o-mini', cached: false, ms: 812, calls: 1, hits: 0, ...over });

function transcript(): TranscriptData {
  const at = 1_000_000;
  return {
    senderId: 'bdd-1',
    name: 'Ann',
    conversationId: 7,
    startedAt: at,
    events: [
      { type: 'user', turn: 1, at, action: { kind: 'text', text: 'check-in' } },
      { type: 'bot', turn: 1, at: at + 20, index: 0, message: { kind: 'text', text: 'You can check in from 3 pm.', private: false, arrived_at: at + 20 } as never, claimedBy: 'Then the bot replies to the effect that "check-in is at 3 pm"' },
      { type: 'verdict', turn: 1, at: at + 900, step: 'Then the bot replies to the effect that "check-in is at 3 pm"', verdict: verdict() },
      { type: 'verdict', turn: 1, at: at + 950, step: 'Then the bot replies something like "Check-in: 3 pm"', verdict: verdict({ kind: 'similar', pass: false, reason: 'the most similar reply scores 0.612 (threshold 0.8)', score: 0.612, threshold: 0.8, model: 'nomic-embed-text', cached: true, ms: 2, calls: 0, hits: 2 }) },
    ],
  };
}

describe('verdicts in the report', () => {
  it('survive the transcript schema (the attachment crosses processes)', () => {
    assert.ok(TranscriptSchema.safeParse(JSON.parse(JSON.stringify(transcript()))).success);
  });

  it('the HTML chat shows pass/fail, reason, score, cached or not, and milliseconds beside the step', () => {
    const html = renderChat(transcript());
    assert.match(html, /class="row verdict pass".*⚖ pass.*to the effect that &quot;check-in is at 3 pm&quot;.*the answer gives the check-in time.*judge gpt-4o-mini.*score 0\.93.*1 model call.*812 ms/s);
    assert.match(html, /class="row verdict fail".*⚖ fail.*similarity 0\.612 \(threshold 0\.8\).*2 ms.*class="cached"/s);
  });

  it('the SVG and the text transcript carry them too', () => {
    const svg = renderConversationSvg(transcript(), { title: 't', status: 'failed' });
    assert.ok(svg.includes('⚖ pass 0.93'));
    assert.ok(svg.includes('⚖ fail 0.612 vs 0.8 (cached)'));
    const text = renderTranscript(transcript());
    assert.match(text, /⚖ pass 0\.93 \(judge gpt-4o-mini, 1 model call, 812 ms\): the answer gives the check-in time/);
    assert.match(text, /⚖ fail 0\.612 vs 0\.8 \(embeddings nomic-embed-text, cached, 2 ms\)/);
  });

  it('the step list carries a badge per verdict beside its step', () => {
    const b = new ReportBuilder();
    const steps = [
      { keyword: 'When', text: 'the user says "check-in"', status: 'PASSED' },
      { keyword: 'Then', text: 'the bot replies to the effect that "check-in is at 3 pm"', status: 'PASSED' },
      { keyword: 'And', text: 'the bot replies something like "Check-in: 3 pm"', status: 'FAILED', message: 'No reply is similar enough' },
    ];
    const t = transcript();
    for (const e of t.events) if (e.type === 'verdict') e.step = e.step.replace(/^Then /, '');
    for (const env of runEnvelopes([{ uri: 'features/ai.feature', name: 'AI', scenarios: [{ name: 'judged', steps, transcript: t }] }])) b.add(env);
    const html = renderReportHtml(b.build());
    assert.match(html, /to the effect that &quot;check-in is at 3 pm&quot;<span class="verdict-badge pass" title="judge gpt-4o-mini: the answer gives the check-in time \(1 model call, 812 ms\)">⚖ pass 0\.93 · 812 ms<\/span>/);
    assert.match(html, /something like &quot;Check-in: 3 pm&quot;<span class="verdict-badge fail"[^>]*>⚖ fail 0\.612 \/ 0\.8 · cached · 2 ms<\/span>/);
  });

  it('modelUsage counts calls and cache hits for the run\'s last line', () => {
    assert.deepEqual(modelUsage([transcript(), transcript()]), { verdicts: 4, calls: 2, hits: 4 });
  });
});
