// A simulated user in the report: its start and end banners (goal, how it ended, the goal's
// verdict, the written feature's link), simulated actions marked, in the HTML page, the SVG and
// the text transcript; escaped like everything else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTranscript, type TranscriptData } from '../../src/conversation/index.ts';
import { renderChat } from '../../src/report/html.ts';
import { renderConversationSvg } from '../../src/report/svg.ts';
import { parseTranscript, simulationLines } from '../../src/report/chat.ts';
import { buildTextReply, normalise } from '../../src/protocol/index.ts';

const t: TranscriptData = {
  senderId: 'bdd-1',
  name: 'Ann',
  conversationId: 1,
  startedAt: 0,
  events: [
    { type: 'simulation', phase: 'start', turn: 0, at: 1, goal: 'book <the> room', maxTurns: 8 },
    { type: 'user', turn: 1, at: 2, action: { kind: 'postback', title: 'Choose', payload: 'CHOOSE_DELUXE' }, simulated: { card: 'Deluxe', reason: 'the <b>Deluxe</b>', cached: true } },
    { type: 'bot', turn: 1, at: 3, index: 0, message: normalise(buildTextReply({ sender_id: 'bdd-1', conv_id: 1 }, 'Booked.')) },
    {
      type: 'simulation',
      phase: 'end',
      turn: 1,
      at: 4,
      goal: 'book <the> room',
      maxTurns: 8,
      turns: 1,
      end: { kind: 'stop', reason: 'booked' },
      verdict: { pass: true, reason: 'a reference was given', score: 0.9, cached: true },
      feature: { href: 'simulated/booking/a-guest.feature', path: 'reports/simulated/booking/a-guest.feature' },
      usage: { calls: 0, hits: 2 },
    },
  ],
};

describe('a simulated user in the report', () => {
  it('lines for the banners', () => {
    const [start, end] = t.events.filter((e) => e.type === 'simulation');
    assert.deepEqual(simulationLines(start as never).map((l) => l.text), ['Simulated user · goal "book <the> room" · up to 8 turns']);
    assert.deepEqual(simulationLines(end as never).map((l) => l.kind), ['end', 'pass', 'feature']);
    assert.match(simulationLines(end as never)[1]!.text, /^Goal met ✓: a reference was given \(score 0\.9, cached\)$/);
  });

  it('HTML: banners, the link, the simulated action, all escaped; it survives the attachment round trip', () => {
    const back = parseTranscript(JSON.stringify(t));
    assert.ok(back);
    const html = renderChat(back);
    assert.match(html, /Simulated user · goal &quot;book &lt;the&gt; room&quot;/);
    assert.match(html, /Simulation ended: the simulated user stopped after 1 turn \(&quot;booked&quot;\)/);
    assert.match(html, /<a href="simulated\/booking\/a-guest\.feature">reports\/simulated\/booking\/a-guest\.feature<\/a>/);
    assert.match(html, /class="row user simulated"/);
    assert.match(html, /simulated: the &lt;b&gt;Deluxe&lt;\/b&gt;/);
    assert.match(html, /on card Deluxe/);
    assert.doesNotMatch(html, /<the>|<b>Deluxe/);
  });

  it('SVG and text transcript', () => {
    const svg = renderConversationSvg(t);
    assert.match(svg, /Simulated user · goal &quot;book &lt;the&gt; room&quot;|Simulated user · goal "book &lt;the&gt; room"/);
    assert.match(svg, /Goal met ✓/);
    const text = renderTranscript(t);
    assert.match(text, /turn 1  user taps "Choose" \(payload "CHOOSE_DELUXE"\)  \(simulated: the <b>Deluxe<\/b>\)/);
    assert.match(text, /simulated user ended: the simulated user stopped after 1 turn \("booked"\)\n\s+goal met: a reference was given/);
  });
});
