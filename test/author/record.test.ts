// The recorder against the embedded simulator, in-process (startRun as a test run has it):
// what each input line does, what is recorded, and the feature written after one replay.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseLine, Recorder, renderFeature, type RecorderIO } from '../../src/author/index.ts';
import { BotClient } from '../../src/client/index.ts';
import { loadConfig } from '../../src/config.ts';
import { startRun, type RunHandle } from '../../src/run/run.ts';
import { closeAfter } from '../support/close-after.ts';

describe('parseLine', () => {
  test('text, numbers, commands and mistakes', () => {
    assert.deepEqual(parseLine('  hi there '), { kind: 'action', action: { kind: 'say', text: 'hi there' } });
    assert.deepEqual(parseLine('2'), { kind: 'number', n: 2 });
    assert.deepEqual(parseLine('/tap Choose on Suite'), { kind: 'tap', text: 'Choose on Suite' });
    assert.deepEqual(parseLine('/image https://e.com/a.jpg'), { kind: 'action', action: { kind: 'send', media: 'image', url: 'https://e.com/a.jpg' } });
    assert.deepEqual(parseLine('/say /start'), { kind: 'action', action: { kind: 'say', text: '/start' } });
    for (const k of ['undo', 'save', 'help'] as const) assert.deepEqual(parseLine(`/${k}`), { kind: k });
    assert.deepEqual(parseLine(''), { kind: 'empty' });
    assert.match((parseLine('/file') as { message: string }).message, /\/file needs one URL/);
    assert.match((parseLine('/tap') as { message: string }).message, /\/tap needs a button title/);
    assert.match((parseLine('/dance') as { message: string }).message, /unknown command \/dance; commands: \/tap/);
  });
});

describe('Recorder (against the simulator)', () => {
  let run: RunHandle;
  const shown: string[] = [];
  const notes: string[] = [];
  const io: RecorderIO = { show: (l) => shown.push(...l), note: (l) => notes.push(l), color: false };
  const recorder = (): Recorder =>
    new Recorder({ io, observer: { inbox: run.inbox, bot: new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey }), timing: run.shared.timing } });

  before(async () => {
    run = await startRun(loadConfig({ APICHAT_QUIET_MS: '300' })); // room for a busy machine: a late note must not fall into the next turn
  });
  after(async () => {
    await run.close();
  });

  test('a tap of a title no message offers lists the buttons that exist and records (and sends) nothing', async (t) => {
    const r = recorder();
    closeAfter(t, r);
    await r.handle('menu');
    const sent = run.simulator!.received.length;
    await r.handle('/tap Checkout');
    assert.equal(r.turns.length, 1);
    assert.equal(run.simulator!.received.length, sent, 'nothing sent to the bot');
    assert.match(notes.at(-1)!, /cannot tap "Checkout": no message offers it; .* are "Rooms", "Book", "Help", "Website" \(nothing recorded\)/);
    await r.handle('9');
    assert.match(notes.at(-1)!, /there is no button 9; the latest replies number 1 to 3/);
    assert.deepEqual(shown.slice(-2), ['  bot   What would you like to do?', '          [1] Rooms   [2] Book   [3] Help   (Website ↗ https://example.com/grand-demo-hotel)']);
  });

  test('the booking flow with a random reference, quoted again later: a feature with a named group and {{reference}}', async (t) => {
    const r = recorder();
    closeAfter(t, r);
    await r.handle('rooms');
    await r.handle('/tap Choose on Suite');
    await r.handle('/tap Details on Deluxe'); // offered a turn earlier: still tappable, as in a feature
    await r.handle('/undo');
    assert.deepEqual(r.turns.map((t) => t.action), [{ kind: 'say', text: 'rooms' }, { kind: 'tap', title: 'Choose', card: 'Suite' }]);
    assert.match(notes.at(-1)!, /dropped Details on Deluxe; replaying 2 turns in a new conversation/);
    await r.handle('1'); // Yes
    const ref = /BK-\d{5}/.exec(shown.join('\n').split('Your booking reference is ').at(-1)!)![0];
    await r.handle(`status ${ref}`);
    const doc = await r.feature('Recorded: booking');
    const text = renderFeature(doc!);
    assert.match(text, /When the user taps "Yes"\n    Then the bot replies matching \/\^Your booking reference is \(\?<reference>BK-\\d\+\)\\\.\$\/\n/);
    assert.match(text, /When the user says "status \{\{reference\}\}"\n    Then the bot replies "Booking \{\{reference\}\} is confirmed\."\n    And the bot says nothing more\n$/);
    assert.match(text, /Scenario: "rooms", Choose on Suite, Yes, "status \{\{reference\}\}"\n/);
  });

  test('nothing recorded: no feature', async () => {
    const r = recorder();
    assert.equal(await r.feature('x'), null);
  });
});
