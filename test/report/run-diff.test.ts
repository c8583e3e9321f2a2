// The run diff from hand-made runs: replies paired regardless of arrival order, captured values
// and numbers not counted, and each kind of change named (text, buttons, order, link URL, card,
// media, private note, pass/fail, scenarios only in one run).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranscriptData } from '../../src/conversation/index.ts';
import { buildReport, changeLine, diffRuns, placeholders, renderRunDiffHtml, type ReportModel } from '../../src/report/index.ts';
import { msg, ROOMS, runEnvelopes, TranscriptBuilder } from './helpers.ts';

const STEPS = [{ keyword: 'Given', text: 'a new conversation', status: 'PASSED' }];

function model(scenarios: Array<{ name: string; t: TranscriptData; status?: string }>): ReportModel {
  return buildReport(runEnvelopes([{ uri: 'features/a.feature', name: 'Alpha', scenarios: scenarios.map((s) => ({ name: s.name, transcript: s.t, steps: [{ ...STEPS[0]!, status: s.status ?? 'PASSED' }] })) }]));
}

const MENU = [
  { title: 'Rooms', payload: 'ROOMS' },
  { title: 'Help', payload: 'HELP' },
  { title: 'Website', type: 'web_url', url: 'https://example.com/hotel' },
];

function greeting(o: { hello?: string; menu?: typeof MENU; swap?: boolean; code?: string; note?: string } = {}): TranscriptData {
  const code = o.code ?? 'BK-11111';
  const b = new TranscriptBuilder().says(0, 'hi');
  const hello = (at: number) => msg.text(o.hello ?? 'Hello Ann! I am the bot.', at);
  const menu = (at: number) => msg.buttons('What would you like to do?', o.menu ?? MENU, at);
  if (o.swap) b.bot(10, menu).bot(20, hello);
  else b.bot(10, hello).bot(20, menu);
  b.says(100, 'book')
    .bot(110, (at) => msg.text(`Your booking code is ${code}.`, at))
    .bot(111, (at) => msg.media('file', `https://files.example.com/${code}.pdf`, at))
    .bot(112, (at) => msg.text(o.note ?? `New booking ${code} for Ann.`, at, true))
    .says(200, `status ${code}`)
    .bot(210, (at) => msg.carousel('Our rooms', ROOMS, at));
  return { ...b.build(), variables: { code } };
}

test('the same conversation with other arrival order, another captured code and other numbers: no difference', () => {
  const a = model([{ name: 'greeting', t: greeting() }]);
  const b = model([{ name: 'greeting', t: greeting({ swap: true, code: 'BK-98765' }) }]);
  const d = diffRuns(a, b);
  assert.deepEqual(d.changes, []);
  assert.equal(d.compared, 1);
  assert.match(renderRunDiffHtml(d, 'old.ndjson', 'new.ndjson'), /Nothing differs/);
});

test('placeholders: each captured value becomes {{name}}, the longest first; short values are left alone', () => {
  const sub = placeholders({ code: 'BK-12345', ref: '12345', n: '1' });
  assert.equal(sub('BK-12345 and 12345 and 1'), '{{code}} and {{ref}} and 1');
});

test('a changed greeting and a renamed button: exactly two changes, on the console as one line each', () => {
  const a = model([{ name: 'greeting', t: greeting() }]);
  const renamed = MENU.map((b) => (b.title === 'Help' ? { ...b, title: 'Support' } : b));
  const b = model([{ name: 'greeting', t: greeting({ hello: 'Hi Ann! Welcome to the Grand Demo Hotel.', menu: renamed, code: 'BK-55555' }) }]);
  const d = diffRuns(a, b);
  assert.deepEqual(d.changes.map(changeLine), [
    'greeting 3: turn 1 text "Hello Ann! I am the bot." → "Hi Ann! Welcome to the Grand Demo Hotel."',
    'greeting 3: turn 1 button 2 "Help" → "Support"',
  ]);
  const html = renderRunDiffHtml(d, 'old.ndjson', 'new.ndjson');
  assert.match(html, /<del>Help<\/del><\/td><td><ins>Support<\/ins>/);
  assert.doesNotMatch(html, /<script>/i);
});

test('button order, link URL, card fields, media URL, a private note, a missing reply and pass/fail are each named', () => {
  const reordered = [MENU[1]!, MENU[0]!, { ...MENU[2]!, url: 'https://example.com/new-site' }];
  const rooms = [{ ...ROOMS[0]!, subtitle: 'Queen bed' }, ROOMS[1]!];
  const a = model([{ name: 'greeting', t: greeting() }]);
  const b = new TranscriptBuilder()
    .says(0, 'hi')
    .bot(10, (at) => msg.text('Hello Ann! I am the bot.', at))
    .bot(20, (at) => msg.buttons('What would you like to do?', reordered, at))
    .says(100, 'book')
    .bot(110, (at) => msg.text('Your booking code is BK-22222.', at))
    .bot(111, (at) => msg.media('image', 'https://files.example.com/BK-22222.png', at))
    .bot(112, (at) => msg.text('Booked BK-22222.', at, true))
    .says(200, 'status BK-22222')
    .bot(210, (at) => msg.carousel('Our rooms', rooms, at))
    .build();
  const d = diffRuns(a, model([{ name: 'greeting', t: { ...b, variables: { code: 'BK-22222' } }, status: 'FAILED' }]));
  assert.deepEqual(
    d.changes.map((c) => [c.turn, c.what, c.before, c.after]),
    [
      [undefined, 'status', 'passed', 'failed'],
      [1, 'buttons order', 'Rooms, Help, Website', 'Help, Rooms, Website'],
      [1, 'button "Website" url', 'https://example.com/hotel', 'https://example.com/new-site'],
      [2, 'reply', 'file https://files.example.com/{{code}}.pdf', 'image https://files.example.com/{{code}}.png'],
      [2, 'private note text', 'New booking {{code}} for Ann.', 'Booked {{code}}.'],
      [3, 'card 1 subtitle', 'King bed, sea view', 'Queen bed'],
    ],
  );
});

test('scenarios only in one run, and an extra reply', () => {
  const a = model([{ name: 'kept', t: greeting() }, { name: 'dropped', t: greeting() }]);
  const extra = greeting();
  extra.events.splice(3, 0, { type: 'bot', turn: 1, at: 0, index: 99, message: msg.text('Also: we have a spa.', 0) });
  const b = model([{ name: 'kept', t: extra }, { name: 'new one', t: greeting() }]);
  assert.deepEqual(diffRuns(a, b).changes.map(changeLine), [
    'kept 3: turn 1 reply added: text "Also: we have a spa."',
    'new one 13: only in the new run',
    'dropped 13: only in the old run',
  ]);
});

test('an unclaimed reply of the last turn that only one run received is listed as uncertain, not counted; a claimed one counts', () => {
  const base = (withLate: boolean, claimed: boolean): TranscriptData => {
    const b = new TranscriptBuilder().says(0, 'hi').bot(10, (at) => msg.text('Hello!', at), 'the bot replies "Hello!"');
    if (withLate) b.bot(30, (at) => msg.buttons('Menu', MENU, at), claimed ? 'the bot shows buttons "Rooms", "Help", "Website"' : undefined);
    return b.build();
  };
  const late = diffRuns(model([{ name: 'g', t: base(true, false) }]), model([{ name: 'g', t: base(false, false) }]));
  assert.deepEqual(late.changes, []);
  assert.deepEqual(late.uncertain.map(changeLine), ['g 3: turn 1 reply missing: buttons "Menu" ["Rooms", "Help", "Website"]']);
  const claimed = diffRuns(model([{ name: 'g', t: base(true, true) }]), model([{ name: 'g', t: base(false, false) }]));
  assert.equal(claimed.changes.length, 1);
});
