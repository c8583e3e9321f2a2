// Simulated users end to end: `npx cucumber-js` runs features whose user is played by the
// OpenAI-compatible test double (fixed rules, test/support/ai-user-policies.ts), against the
// embedded simulator. Each run works in its own directory (its AI cache, its reports), with the
// repository's steps and plugin. A rerun makes zero model calls; the written-out feature passes
// on its own, twice; the turn limit, an unknown tap and a silent bot fail as documented.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AiDouble } from '../support/ai-double.ts';
import { conversationJudgeRule, userPolicy } from '../support/ai-user-policies.ts';
import { CUCUMBER_BIN } from '../support/cucumber.ts';
import { ROOT, run, stackLines, type RunResult as CucumberRun } from '../support/process.ts';

const FIXED_BOT = join(ROOT, 'test/fixtures/bots/fixed-hotel.yaml');

describe('simulated users (cucumber-js with the AI test double)', () => {
  let ai: AiDouble;
  let dir: string;
  const nonce = `run-${process.pid}-${Date.now().toString(36)}`;

  before(async () => {
    ai = await AiDouble.start({ key: 'sk-test-simulated', models: ['judge', 'player'] });
    ai.use(conversationJudgeRule).use(userPolicy);
    dir = mkdtempSync(join(tmpdir(), 'apichat-simulated-'));
    // A config with absolute paths, so the run's working directory (its .env, AI cache, reports) is this one.
    const abs = (p: string): string => JSON.stringify(join(ROOT, p));
    writeFileSync(
      join(dir, 'cucumber.js'),
      `export default { import: [${abs('steps/tsx-register.js')}, ${abs('steps/support/*.ts')}, ${abs('steps/*.steps.ts')}], plugin: [${abs('steps/plugin.mjs')}], format: ['progress', ${JSON.stringify(`${ROOT}steps/report-formatter.mjs:reports/conversations.html`)}], formatOptions: { printAttachments: false } };\n`,
    );
    for (const f of ['booking.feature', 'must-fail.feature']) {
      writeFileSync(join(dir, f), readFileSync(join(ROOT, 'test/fixtures/simulated', f), 'utf8').replaceAll('{{NONCE}}', nonce));
    }
  });
  after(async () => {
    await ai.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const aiEnv = (): Record<string, string> => ({ APICHAT_AI_URL: ai.url, APICHAT_AI_API_KEY: 'sk-test-simulated', APICHAT_JUDGE_MODEL: 'judge', APICHAT_USER_MODEL: 'player' });

  /** cucumber-js in the run's own folder (its .env, AI cache and reports); OPENAI_API_KEY of the machine is not inherited. */
  function cucumber(args: string[], env: Record<string, string>): Promise<CucumberRun> {
    return run(process.execPath, [join(ROOT, CUCUMBER_BIN), ...args], { cwd: dir, drop: /^OPENAI_API_KEY$/, timeoutMs: 120_000, vars: { APICHAT_QUIET_MS: '150', ...env } });
  }

  test('a deterministic bot: the goal is met, the report marks it, and a rerun makes zero model calls', async () => {
    const first = await cucumber(['booking.feature'], { ...aiEnv(), APICHAT_SIMULATOR_BOT: FIXED_BOT });
    assert.equal(first.code, 0, first.output);
    const calls = ai.chatRequests.length;
    // hi, Book, Choose on Deluxe, Yes, stop: five user turns; the goal and the criterion: two judgements.
    assert.equal(calls, 7, first.output);
    const userCalls = ai.chatRequests.filter((r) => r.body.messages[0].content.startsWith('You play a person'));
    assert.equal(userCalls.length, 5);
    for (const r of userCalls) {
      assert.equal(r.body.temperature, 0);
      assert.equal(r.body.response_format.type, 'json_schema');
      assert.doesNotMatch(JSON.stringify(r.body), /bdd-[0-9a-f]{12}/, 'no sender id in what the model is shown');
    }
    assert.match(userCalls[0]!.body.messages[0].content, /name: Ann\nemail: ann@example\.com\nphone: \(none\)/);

    const html = readFileSync(join(dir, 'reports/conversations.html'), 'utf8');
    assert.match(html, /Simulated user · goal &quot;book the Deluxe room/);
    assert.match(html, /Simulation ended: the simulated user stopped after 4 turns \(&quot;the bot gave a booking reference&quot;\)/);
    assert.match(html, /Goal met ✓: the bot&#39;s words cover/);
    assert.match(html, /<a href="simulated\/booking\/a-guest-books-the-deluxe-room\.feature">/);
    assert.match(html, /class="row user simulated"/);

    const second = await cucumber(['booking.feature'], { ...aiEnv(), APICHAT_SIMULATOR_BOT: FIXED_BOT });
    assert.equal(second.code, 0, second.output);
    // Should it ever make calls, say which: what each asked, and what the cache held.
    const extra = ai.chatRequests.slice(calls).map((r) => `${r.body.model}: ${JSON.stringify(String(r.body.messages.at(-1)?.content ?? '').slice(-300))}`);
    const cached = readdirSync(join(dir, '.apichat-bdd/ai-cache'), { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
    assert.equal(ai.chatRequests.length, calls, `the rerun replays from the cache: zero model calls; it made ${extra.length} with ${cached} cache entries on disk:\n${extra.join('\n')}\n${second.output}`);
  });

  test('the demo bot (a random reference): the written-out feature passes on its own, twice', async () => {
    rmSync(join(dir, 'reports/simulated'), { recursive: true, force: true });
    const run = await cucumber(['booking.feature'], aiEnv());
    assert.equal(run.code, 0, run.output);
    const file = join(dir, 'reports/simulated/booking/a-guest-books-the-deluxe-room.feature');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /Given a new conversation as "Ann" with email "ann@example\.com"/);
    assert.match(text, /When the user taps "Choose" on card "Deluxe"/);
    assert.match(text, /Then the bot replies matching \/\^Your booking reference is \(\?<\w+>BK-/);
    for (let i = 0; i < 2; i++) {
      // No AI variables: the written feature needs no model; the @ai fixture beside it is skipped with one line.
      const alone = await cucumber(['reports/simulated/booking/a-guest-books-the-deluxe-room.feature', ...(i === 0 ? ['booking.feature'] : [])], {});
      assert.equal(alone.code, 0, alone.output);
      if (i === 0) {
        assert.match(alone.stdout, /2 scenarios \(1 skipped, 1 passed\)/);
        assert.equal(alone.stderr.match(/@ai scenarios skipped: APICHAT_JUDGE_MODEL and APICHAT_USER_MODEL are not set/g)?.length, 1, alone.stderr);
      } else assert.match(alone.stdout, /1 scenario \(1 passed\)/);
    }
  });

  test('the turn limit, an unknown tap told back once, a silent bot', async () => {
    const run = await cucumber(['must-fail.feature'], { ...aiEnv(), APICHAT_SIMULATOR_BOT: FIXED_BOT, APICHAT_REPLY_TIMEOUT_MS: '800' });
    assert.equal(run.code, 1, run.output);
    assert.match(run.stdout, /3 scenarios \(2 failed, 1 passed\)/, run.output);
    assert.deepEqual(stackLines(run.output), []);
    // A user that never stops: the failure says it ended at the turn limit.
    assert.match(run.stdout, /The user's goal was not met\.\n\s+expected: the goal "chat forever about the Deluxe room [^"]+" reached/);
    assert.match(run.stdout, /ended: +the turn limit: 3 turns of up to 3, and the simulated user had not stopped/);
    assert.match(run.stdout, /judge: +the bot never says chat, forev, delux/);
    assert.match(run.stdout, /last turns:\n +turn 1 +user says "hi" \(simulated\)/);
    // The unknown tap was told back with the offered titles, then the booking went on and passed.
    const told = ai.chatRequests.find((r) => r.body.messages.some((m: { role: string }) => m.role === 'assistant'));
    assert.ok(told, 'a retry request');
    assert.match(told.body.messages.at(-1).content, /There is no button "Reserve" to tap now\. The buttons you can tap are: "Rooms", "Book"\./);
    // The silent bot fails as a silent turn does.
    assert.match(run.stdout, /Timed out after \d+ ms waiting for a reply to the simulated user's action\./);
    assert.ok(!existsSync(join(dir, 'reports/simulated/must-fail/a-user-who-never-stops.feature')), 'an unmet goal writes nothing');
    assert.deepEqual(readdirSync(join(dir, 'reports/simulated/must-fail')), ['a-user-who-taps-a-button-that-is-not-the.feature']);
  });
});
