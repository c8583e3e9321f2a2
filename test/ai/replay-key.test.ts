// The simulated user's cache key: a bot that draws a new booking code every run still replays;
// the user's own words stay exact; a cached answer quoting an earlier run's number is asked again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerFits, replayKey } from '../../src/ai/user-model.ts';
import type { ChatMessage } from '../../src/ai/client.ts';

const chat = (code: string, said = 'status BK-1'): ChatMessage[] => [
  { role: 'system', content: 'Your goal: book the Deluxe room\nphone: +15550100' },
  { role: 'user', content: `<conversation>\nyou: ${said}\nbot: Booked! Your reference is ${code}.\n     Check-in 3 pm\n</conversation>\nButtons you can tap now:\n- "Room 1"` },
];

test('digits in the bot lines are generalised; the user lines, the goal, the profile and the buttons are not', () => {
  assert.deepEqual(replayKey(chat('BK-48213')), replayKey(chat('BK-11734')));
  assert.notDeepEqual(replayKey(chat('BK-48213', 'status BK-2')), replayKey(chat('BK-48213', 'status BK-3')));
  const key = replayKey(chat('BK-48213'))[1]!.content as string;
  assert.match(key, /bot: Booked! Your reference is BK-#\.\n {5}Check-in # pm/);
  assert.match(key, /you: status BK-1\n/);
  assert.match(key, /"Room 1"/);
  assert.match(replayKey(chat('BK-1'))[0]!.content as string, /\+15550100/);
});

test('a cached answer is replayed only when its numbers are in this conversation', () => {
  const fits = answerFits(chat('BK-11734'));
  assert.equal(fits({ action: 'say', text: 'status BK-11734' }), true);
  assert.equal(fits({ action: 'say', text: 'status BK-48213' }), false);
  assert.equal(fits({ action: 'tap', title: 'Room 1' }), true);
  assert.equal(fits({ action: 'stop', reason: 'booked' }), true);
});
