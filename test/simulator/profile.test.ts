// The simulator sees the test user's profile: {{user.email}} / {{user.phone}} in a bot file,
// filled from sender.email / sender.phone_number ('' when the message carries none).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BotEngine, parseBot } from '../../src/simulator/index.ts';

test('{{user.email}} and {{user.phone}} echo the sender profile', () => {
  const e = new BotEngine({ rules: [{ match: { text: 'me' }, replies: [{ text: '{{user.email}} / {{user.phone}}' }] }] });
  const say = { kind: 'text' as const, text: 'me' };
  const text = (t: ReturnType<BotEngine['respond']>) => (t.replies[0]?.kind === 'text' ? t.replies[0].text : '');
  assert.equal(text(e.respond({ id: 'u1', name: 'Ann', email: 'ann@example.com', phone: '+15550100' }, say)), 'ann@example.com / +15550100');
  assert.equal(text(e.respond({ id: 'u2', name: 'Bob' }, say)), ' / ');
});

test('a bot file may use {{user.email}} and {{user.phone}}', () => {
  assert.doesNotThrow(() => parseBot('rules:\n  - match: { text: me }\n    replies: [ { text: "{{user.email}} {{user.phone}}" } ]\n', 'me.yaml'));
});
