// startRun's start-up notes: a variable that is set but ignored is said once, in one line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';
import { isApiChatError } from '../src/base/errors.ts';
import { parseSharedRun, startRun } from '../src/run/run.ts';
import { closeAfter } from './support/close-after.ts';

const LIVE = {
  APICHAT_BOT_URL: 'http://127.0.0.1:9/api/apichat/x',
  APICHAT_FLOW_API_KEY: 'flow-key-run-test',
  APICHAT_WEBHOOK_SECRET: 'hook-secret-run-test',
  APICHAT_LISTEN_PORT: '0',
};

describe('startRun', () => {
  for (const [name, extra, expected] of [
    ['live mode with APICHAT_SIMULATOR_BOT: one line saying it is ignored', { APICHAT_SIMULATOR_BOT: 'bots/shop.yaml' }, 1],
    ['live mode without it: no note', {}, 0],
  ] as const) {
    it(name, async (t) => {
      const lines: string[] = [];
      const run = await startRun(loadConfig({ ...LIVE, ...extra }), (l) => lines.push(l));
      closeAfter(t, run);
      const notes = lines.filter((l) => l.includes('APICHAT_SIMULATOR_BOT'));
      assert.equal(notes.length, expected, lines.join('\n'));
      for (const n of notes) assert.match(n, /^apichat-bdd: APICHAT_SIMULATOR_BOT is ignored in live mode[^\n]*$/);
    });
  }
});

describe('parseSharedRun (APICHAT_RUN in a --parallel worker)', () => {
  it('round-trips what the plugin writes, unknown fields included', async (t) => {
    const run = await startRun(loadConfig({ ...LIVE }));
    closeAfter(t, run);
    const json = JSON.stringify({ ...run.shared, later: 1 });
    assert.deepEqual(parseSharedRun(json), JSON.parse(json));
  });

  for (const [what, raw] of [
    ['not JSON', '{'],
    ['a wrong shape', '{"mode":"live","inboxUrl":1}'],
    ['an unknown mode', '{"mode":"other","inboxUrl":"x","botUrl":"x","flowKey":"k","timing":{"replyTimeoutMs":1,"quietMs":1,"settleMs":1}}'],
  ] as const) {
    it(`${what}: APICHAT_RUN_INVALID naming APICHAT_RUN, one line`, () => {
      assert.throws(() => parseSharedRun(raw), (e: unknown) => isApiChatError(e, 'APICHAT_RUN_INVALID') && e.variable === 'APICHAT_RUN' && !e.message.includes('\n'));
    });
  }
});
