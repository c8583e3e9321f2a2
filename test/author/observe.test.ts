// The observer crawl and record see the bot through, against the embedded simulator: a turn ends
// on the simulator's word that its replies are all delivered, so a silent turn costs nothing like
// the reply timeout (60 s here, above this test's own timeout) and a turn's private note is in it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Observer } from '../../src/author/observe.ts';
import { BotClient } from '../../src/client/index.ts';
import { loadConfig } from '../../src/config.ts';
import { startRun, type RunHandle } from '../../src/run/run.ts';
import { ROOT } from '../support/process.ts';

describe('Observer against the simulator: the turn ends on its word', { timeout: 20_000 }, () => {
  let run: RunHandle;
  const observer = (): Promise<Observer> =>
    Observer.open({ inbox: run.inbox, bot: new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey }), timing: run.shared.timing });

  before(async () => {
    run = await startRun(loadConfig({ APICHAT_REPLY_TIMEOUT_MS: '60000', APICHAT_SIMULATOR_BOT: join(ROOT, 'test/fixtures/bots/fixed-hotel.yaml') }));
  });
  after(async () => {
    await run.close();
  });

  test('a silent turn is recorded as silence without waiting the 60 s reply timeout', async () => {
    const o = await observer();
    try {
      const turn = await o.perform({ kind: 'say', text: 'silence' });
      assert.deepEqual(turn, { action: { kind: 'say', text: 'silence' }, replies: [], notes: [] });
    } finally {
      await o.close();
    }
  });

  test('a turn of two concurrent deliveries holds both, whatever their order', async () => {
    const o = await observer();
    try {
      const turn = await o.perform({ kind: 'say', text: 'hi' });
      assert.deepEqual(turn.replies.map((m) => m.kind).sort(), ['buttons', 'text']);
      const next = await o.perform({ kind: 'tap', title: 'Rooms' });
      assert.deepEqual(next.replies.map((m) => m.kind), ['carousel']);
    } finally {
      await o.close();
    }
  });
});
