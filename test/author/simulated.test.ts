// A simulated conversation written as a scripted scenario: played against the embedded demo bot
// by a scripted player, replayed once with the same profile, generalised (the booking reference
// changes per visit) and written under <report dir>/simulated/<feature>/<scenario>.feature.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_USER_NAME, givenStep, observedTurns, simulatedFeaturePath, writeSimulatedFeature } from '../../src/author/index.ts';
import { BotClient } from '../../src/client/index.ts';
import { loadConfig } from '../../src/config.ts';
import { Conversation } from '../../src/conversation/index.ts';
import { simulateUser, type UserPlayer } from '../../src/conversation/simulate.ts';
import type { UserDecision, UserTurnInput } from '../../src/ai/user-model.ts';
import { startRun, type RunHandle } from '../../src/run/run.ts';

/** Fixed rules over what the player is shown: hi, Book, Choose on Deluxe, Yes, then stop. */
const booker: UserPlayer = {
  async decide(input: UserTurnInput): Promise<{ decision: UserDecision; cached: boolean }> {
    const said = input.turns.flatMap((t) => t.bot).map((m) => ('text' in m ? m.text : ''));
    const has = (title: string, card?: string): boolean => input.offers.some((o) => o.title === title && o.card === card);
    const decision: UserDecision = said.some((s) => s.startsWith('Your booking reference'))
      ? { action: 'stop', reason: 'booked' }
      : has('Yes')
        ? { action: 'tap', title: 'Yes' }
        : has('Choose', 'Deluxe')
          ? { action: 'tap', title: 'Choose', card: 'Deluxe' }
          : has('Book')
            ? { action: 'tap', title: 'Book' }
            : { action: 'say', text: 'hi' };
    return { decision, cached: false };
  },
};

describe('a simulated conversation written as a feature', () => {
  let run: RunHandle;
  let dir: string;
  before(async () => {
    run = await startRun(loadConfig({ APICHAT_QUIET_MS: '300' }));
    dir = mkdtempSync(join(tmpdir(), 'apichat-simulated-'));
  });
  after(async () => {
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the path, the profile and the generalised booking reference', async () => {
    const bot = new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey });
    const profile = { name: 'Ann', email: 'ann@example.com' };
    const c = await Conversation.open({ inbox: run.inbox, bot, senderId: 'bdd-sim-1', ...profile, conversationId: 77, timing: run.shared.timing });
    try {
      const r = await simulateUser(c, { goal: 'book the Deluxe room', maxTurns: 8, player: booker });
      assert.deepEqual(r.end, { kind: 'stop', reason: 'booked' });
      assert.deepEqual(
        observedTurns(c.transcript).map((t) => t.action),
        [{ kind: 'say', text: 'hi' }, { kind: 'tap', title: 'Book' }, { kind: 'tap', title: 'Choose', card: 'Deluxe' }, { kind: 'tap', title: 'Yes' }],
      );
      const written = await writeSimulatedFeature(
        {
          observer: { inbox: run.inbox, bot, timing: run.shared.timing, ...profile },
          transcript: c.transcript,
          goal: 'book the Deluxe room',
          verdictReason: 'The bot gave a booking reference.',
          featureUri: 'features/ai/simulated-users.feature',
          scenarioName: 'A guest books the Deluxe room',
          reportDir: dir,
        },
        DEFAULT_USER_NAME,
      );
      assert.equal(written.href, 'simulated/simulated-users/a-guest-books-the-deluxe-room.feature');
      const text = readFileSync(join(dir, written.href), 'utf8');
      assert.match(text, /^Feature: A guest books the Deluxe room \(simulated\)$/m);
      assert.match(text, /^ {4}Given a new conversation as "Ann" with email "ann@example\.com"$/m);
      assert.match(text, /^ {4}When the user says "hi"$/m);
      assert.match(text, /^ {4}When the user taps "Choose" on card "Deluxe"$/m);
      assert.match(text, /^ {4}When the user taps "Yes"$/m);
      // The reference differs between the simulation and the replay: a pattern, not one run's value.
      assert.match(text, /Then the bot replies matching \/\^Your booking reference is \(\?<\w+>BK-/);
      assert.match(text, /And the bot says nothing more\n$/);
    } finally {
      await c.close();
    }
  });

  test('the Given step and the file path', () => {
    assert.equal(givenStep({ name: DEFAULT_USER_NAME }, DEFAULT_USER_NAME), 'a new conversation');
    assert.equal(givenStep({ name: DEFAULT_USER_NAME, email: '' }, DEFAULT_USER_NAME), 'a new conversation');
    assert.equal(givenStep({ name: 'Bo "B"', phone: '+1555' }, DEFAULT_USER_NAME), 'a new conversation as "Bo \\"B\\"" with phone "+1555"');
    assert.equal(givenStep({ name: 'Ann', email: 'a@x', phone: '1' }, DEFAULT_USER_NAME), 'a new conversation as "Ann" with email "a@x" and phone "1"');
    assert.equal(simulatedFeaturePath('reports', 'features/booking.feature', 'Book: Deluxe!'), join('reports', 'simulated', 'booking', 'book-deluxe.feature'));
    assert.equal(simulatedFeaturePath('out', 'features/ai/Simulated Users.feature', 'x'), join('out', 'simulated', 'simulated-users', 'x.feature'));
  });
});
