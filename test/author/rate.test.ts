import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRate, RateLimitedSender } from '../../src/author/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { buildText } from '../../src/protocol/index.ts';

const msg = buildText({ id: 'u', name: 'U' }, 1, 'hi');

describe('RateLimitedSender', () => {
  for (const lateMs of [0, 30]) {
    test(`spaces messages 1/rate apart, across every conversation that shares it (timers ${lateMs} ms late)`, async (t) => {
      let clock = 1000;
      const delays: number[] = [];
      // A timer that fires `lateMs` after it was due, as on a busy event loop.
      t.mock.method(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
        delays.push(ms);
        clock += ms + lateMs;
        queueMicrotask(fn);
        return 0;
      });
      const sentAt: number[] = [];
      const s = new RateLimitedSender({ send: async () => void sentAt.push(clock) }, 5, () => clock);
      await Promise.all([s.send(msg), s.send(msg), s.send(msg)]);
      assert.equal(s.sent, 3);
      assert.equal(sentAt[0], 1000, 'the first at once');
      for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= 200, `message ${i + 1} left ${sentAt[i]! - sentAt[i - 1]!} ms after the one before`);
      assert.deepEqual(delays, [200, 200], 'each wait is measured from when the previous message really left');
      clock += 10_000;
      await s.send(msg);
      assert.equal(sentAt.at(-1), clock, 'after a pause the next goes at once');
      assert.equal(delays.length, 2);
    });
  }

  test('unlimited (simulated bot) never waits', async (t) => {
    const timer = t.mock.method(globalThis, 'setTimeout');
    const s = new RateLimitedSender({ send: async () => undefined }, Number.POSITIVE_INFINITY);
    await Promise.all([s.send(msg), s.send(msg)]);
    assert.equal(timer.mock.callCount(), 0);
  });

  test('parseRate', () => {
    assert.equal(parseRate('5'), 5);
    assert.equal(parseRate('0.5/s'), 0.5);
    assert.equal(parseRate('12 / s'), 12);
    for (const bad of ['0', 'fast', '-1', '5/min', '2000']) assert.throws(() => parseRate(bad), (e) => isApiChatError(e, 'APICHAT_USAGE') && /^--rate: /.test(e.message));
  });
});
