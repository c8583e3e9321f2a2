import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRate, RateLimitedSender } from '../../src/author/index.ts';
import { isApiChatError } from '../../src/errors.ts';
import { buildText } from '../../src/protocol/index.ts';

const msg = buildText({ id: 'u', name: 'U' }, 1, 'hi');

describe('RateLimitedSender', () => {
  test('spaces messages 1/rate apart, across every conversation that shares it', async (t) => {
    const delays: number[] = [];
    t.mock.method(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
      delays.push(ms);
      fn();
      return 0;
    });
    let clock = 1000;
    const sent: string[] = [];
    const s = new RateLimitedSender({ send: async (m) => void sent.push(m.content) }, 5, () => clock);
    await Promise.all([s.send(msg), s.send(msg), s.send(msg)]);
    assert.deepEqual(delays, [200, 400], 'the first at once, then one slot of 200 ms each');
    assert.equal(s.sent, 3);
    clock += 10_000;
    await s.send(msg);
    assert.deepEqual(delays, [200, 400], 'after a pause the next goes at once');
  });

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
