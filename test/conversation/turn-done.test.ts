// Simulated mode: the simulator says when a turn's last reply is filed, so a Then without a
// match fails right after that plus the settle window, not after the whole reply timeout. Both
// ways a conversation hears it: in-process (serial run) and over the worker channel (--parallel).
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startRun, type RunHandle } from '../../src/run/run.ts';
import { BotClient } from '../../src/client/index.ts';
import { Conversation } from '../../src/conversation/index.ts';
import { RemoteInbox, type Inbox } from '../../src/inbox/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';

let run: RunHandle;
let remote: RemoteInbox;

before(async () => {
  run = await startRun(loadConfig({ APICHAT_LISTEN_PORT: '0' }));
  remote = new RemoteInbox(run.shared.inboxUrl, { token: run.shared.inboxToken });
});
after(async () => {
  await remote.close();
  await run.close();
});

function open(inbox: Inbox): Promise<Conversation> {
  const { shared } = run;
  return Conversation.open({
    inbox,
    bot: new BotClient({ botUrl: shared.botUrl, flowKey: shared.flowKey, timeoutMs: shared.timing.replyTimeoutMs }),
    senderId: `bdd-${randomBytes(6).toString('hex')}`,
    name: 'Ann',
    conversationId: randomInt(1, 2 ** 31 - 1),
    timing: shared.timing,
  });
}

describe('a Then without a match against the simulator', () => {
  for (const [how, inbox] of [
    ['serial (in-process inbox)', () => run.inbox],
    ['--parallel worker (worker channel)', () => remote],
  ] as const) {
    it(`fails once the turn's replies are all delivered, with the usual message: ${how}`, async () => {
      const c = await open(inbox());
      try {
        await c.say('hi');
        await c.expect({ kind: 'text', mode: 'exact', value: 'Hello! I am the Grand Demo Hotel bot.' }, 'Then the bot replies "Hello! …"');
        const err = await c.expect({ kind: 'text', mode: 'exact', value: 'Hello' }, 'Then the bot replies "Hello"').then(
          () => assert.fail('a reply "Hello" matched'),
          (e: unknown) => e,
        );
        assert.ok(isApiChatError(err) && err.code === 'APICHAT_REPLY_TIMEOUT', String(err));
        const waited = Number(/^Timed out after (\d+) ms waiting for a reply with the text "Hello"\./.exec(err.message)?.[1]);
        assert.ok(waited < run.shared.timing.replyTimeoutMs, err.message);
        assert.match(err.message, new RegExp(`the simulator had delivered all 2 replies of this turn: no need to wait the ${run.shared.timing.replyTimeoutMs} ms reply timeout`));
        // The turn's other reply is still the one the failure shows as received.
        assert.match(err.message, /Rooms/);
      } finally {
        await c.close();
      }
    });
  }
});
