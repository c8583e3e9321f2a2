// Hints in a failing step (issue 9): a duplicate delivery (a platform retry) is named as such
// in "says nothing more", and a worker feed that gave up is named in any failure of the step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation } from '../../src/conversation/index.ts';
import { LocalInbox, MemoryStore, type ConversationFeed } from '../../src/inbox/index.ts';
import type { BotMessage } from '../../src/protocol/index.ts';
import { CONV_ID, FAST, FakeBot, harness, NAME, rejectsWith, SENDER } from './harness.ts';

describe('failure hints', () => {
  it('"says nothing more" says that an extra reply is identical to an earlier one (a duplicate delivery)', async (t) => {
    const { c, bot, r } = await harness(t);
    const reply = r.text('Welcome!');
    bot.onNextSend((_a, b) => b.deliver(reply, reply));
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Welcome!' }, 's');
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /note: {5}text "Welcome!" is identical to an earlier reply of this turn: probably a duplicate delivery \(a platform retry\)/);
  });

  it('a reply that only looks alike (another text) gets no duplicate hint', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Welcome!'), r.text('Welcome!!')));
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Welcome!' }, 's');
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.doesNotMatch(err.message, /duplicate/);
  });

  it('a feed that gave up is named in the failing step', async (t) => {
    const store = new MemoryStore();
    const local = new LocalInbox(store);
    const inbox = {
      rejections: () => local.rejections(),
      close: () => local.close(),
      async open(senderId: string, onMessage: (m: BotMessage) => void): Promise<ConversationFeed> {
        const feed = await local.open(senderId, onMessage);
        return { senderId, close: () => feed.close(), problem: () => 'the worker feed of x dropped and could not be reopened after 8 attempts' };
      },
    };
    const c = await Conversation.open({ inbox, bot: new FakeBot(store), senderId: SENDER, name: NAME, conversationId: CONV_ID, timing: FAST });
    t.after(() => c.close());
    await c.say('hi');
    const err = await rejectsWith(c.expect({ kind: 'text', mode: 'exact', value: 'x' }, 's'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /warning: {2}the worker feed of x dropped and could not be reopened after 8 attempts/);
  });
});
