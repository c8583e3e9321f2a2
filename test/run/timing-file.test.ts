// Live timing kept between runs (issue 21): the timing file (src/run/timing-file.ts) and what a
// model started from it does: a second run starts where the first ended, a remembered pause
// decays only after DECAY_TURNS quiet turns, a longer one widens at once, explicit variables win.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { DECAY_TURNS, LIVE_SETTLE_FLOOR_MS, MARGIN_MS, SAFETY_FACTOR, TimingModel, type Timing } from '../../src/conversation/index.ts';
import { parseSharedRun, runTiming } from '../../src/run/run.ts';
import { keepTiming, RunTiming } from '../../src/run/timing-hub.ts';
import { botHash, readTimingState, TIMING_FILE_VERSION, timingPath, writeTimingState } from '../../src/run/timing-file.ts';
import { STATE_DIR } from '../../src/run/webhook-record.ts';

const BOT = 'https://bots.example/api/chat/abc?token=s3cret';
const LIVE: Timing = runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined });

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'apichat-timing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `turns` turns, each with one pause of `gap` ms and a first reply after `first` ms. */
function play(m: TimingModel, turns: number, gap: number, first: number): TimingModel {
  for (let i = 0; i < turns; i++) {
    m.observeFirstReply(first);
    if (gap > 0) m.observeGap(gap);
    m.observeTurnEnd();
  }
  return m;
}

const justified = (ms: number): number => Math.ceil(SAFETY_FACTOR * ms + MARGIN_MS);

describe('timing file', () => {
  it('round trip: written whole, 0600 in a 0700 folder, named by a hash of the bot URL, read back as written', (t) => {
    const dir = tempDir(t);
    const first = play(new TimingModel(LIVE), 6, 40, 300);
    const path = writeTimingState(BOT, first.state(), dir);
    assert.equal(path, timingPath(BOT, dir));
    assert.match(path, new RegExp(`${STATE_DIR}/timing-[0-9a-f]{16}\\.json$`));
    assert.ok(!path.includes('s3cret') && !readFileSync(path, 'utf8').includes('s3cret'), 'the URL (and any token in it) is not in the name or the file');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, STATE_DIR)).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(join(dir, STATE_DIR)), [`timing-${botHash(BOT)}.json`], 'no temporary file left');
    const lines: string[] = [];
    const state = readTimingState(BOT, (l) => lines.push(l), dir);
    assert.deepEqual(state, first.state());
    assert.equal(lines.length, 0);
    assert.equal(readTimingState('https://bots.example/other', (l) => lines.push(l), dir), undefined, 'another bot has its own file');
    assert.deepEqual(lines, [], 'no file is not worth a line');
  });

  it('a second run starts where the first ended', (t) => {
    const dir = tempDir(t);
    const first = play(new TimingModel(LIVE), 6, 40, 300);
    writeTimingState(BOT, first.state(), dir);
    const second = new TimingModel({ ...LIVE, state: readTimingState(BOT, () => {}, dir)! });
    assert.equal(second.settleWindowMs(), first.settleWindowMs());
    assert.equal(second.settleWindowMs(), justified(40));
    assert.equal(second.quietWindowMs(false), first.quietWindowMs(false));
    assert.equal(new TimingModel(LIVE).settleWindowMs(), 200, 'without the file: the conservative start');
  });

  for (const [what, content, reason] of [
    ['a corrupt file', '{"version": 1, "bot": ', /it is not a timing file \(corrupt\?\)/],
    ['a file of another format version', JSON.stringify({ version: TIMING_FILE_VERSION + 1, bot: botHash(BOT), written_at: 'x', state: {} }), /written by another version of apichat-bdd \(format 2, this one reads 1\)/],
    ['a file with a broken state', JSON.stringify({ version: TIMING_FILE_VERSION, bot: botHash(BOT), written_at: 'x', state: { turns: -1 } }), /its timing state is incomplete or not numbers/],
  ] as const) {
    it(`${what} is ignored with one line, and the run starts conservative`, (t) => {
      const dir = tempDir(t);
      mkdirSync(join(dir, STATE_DIR), { recursive: true });
      writeFileSync(timingPath(BOT, dir), content);
      const lines: string[] = [];
      assert.equal(readTimingState(BOT, (l) => lines.push(l), dir), undefined);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /^apichat-bdd: ignoring .*timing-[0-9a-f]{16}\.json: /);
      assert.match(lines[0]!, reason);
      assert.match(lines[0]!, /the live windows start conservative/);
      assert.ok(!lines[0]!.includes('\n'));
    });
  }

  it('the run keeps it at its end only when it observed something; a failure to write is one note', async (t) => {
    const dir = tempDir(t);
    const run = new RunTiming(LIVE);
    assert.equal(await keepTiming(BOT, run, dir)(), undefined);
    assert.equal(readTimingState(BOT, () => {}, dir), undefined, 'a run that saw no reply writes nothing (an earlier file would stay as it was)');
    run.model.observeFirstReply(12);
    run.model.observeTurnEnd();
    assert.equal(await keepTiming(BOT, run, dir)(), undefined);
    assert.equal(readTimingState(BOT, () => {}, dir)?.turns, 1);
    const blocked = join(dir, 'not-a-folder');
    writeFileSync(blocked, 'x');
    const note = await keepTiming(BOT, run, blocked)();
    assert.match(String(note), /^apichat-bdd: could not keep the learned timing in .*timing-[0-9a-f]{16}\.json: .*; the next run starts conservative$/);
  });

  it('travels to --parallel workers inside APICHAT_RUN, checked', (t) => {
    const state = play(new TimingModel(LIVE), 3, 40, 300).state();
    const run = { mode: 'live', inboxUrl: 'http://127.0.0.1:4567', inboxToken: 'a'.repeat(64), botUrl: BOT, flowKey: 'k', timing: { ...LIVE, state } };
    assert.deepEqual(parseSharedRun(JSON.stringify(run)).timing.state, state);
    assert.throws(() => parseSharedRun(JSON.stringify({ ...run, timing: { ...LIVE, state: { ...state, maxGapMs: 'x' } } })), /APICHAT_RUN/);
  });
});

describe('remembered timing', () => {
  const remembered = (): TimingModel => play(new TimingModel(LIVE), 10, 150, 300);

  it(`decays slowly: a bot that became faster is trusted again after ${DECAY_TURNS} quiet turns in a row`, () => {
    const m = new TimingModel({ ...LIVE, state: remembered().state() });
    assert.equal(m.settleWindowMs(), justified(150));
    play(m, DECAY_TURNS - 1, 3, 300);
    assert.equal(m.settleWindowMs(), justified(150), 'one quiet turn short: still remembered');
    play(m, 1, 3, 300);
    assert.equal(m.settleWindowMs(), LIVE_SETTLE_FLOOR_MS, 'forgotten: what the quiet turns showed (3 ms) is the longest pause now');
    assert.equal(m.quietWindowMs(false), justified(300), 'the first replies did not get faster: their window stays');
  });

  it('a pause of half the remembered one or more restarts the count', () => {
    const m = new TimingModel({ ...LIVE, state: remembered().state() });
    play(m, DECAY_TURNS - 1, 3, 300);
    play(m, 1, 80, 300);
    play(m, DECAY_TURNS - 1, 3, 300);
    assert.equal(m.settleWindowMs(), justified(150));
    const kept = new TimingModel({ ...LIVE, state: m.state() });
    play(kept, 1, 3, 300);
    assert.equal(kept.settleWindowMs(), LIVE_SETTLE_FLOOR_MS, 'the streak is kept in the file too: the next run completes it, and the pauses are forgotten down to the streak\'s longest (3 ms)');
  });

  it('a longer pause than the remembered one widens at once', () => {
    const m = new TimingModel({ ...LIVE, state: remembered().state() });
    m.observeGap(400);
    assert.equal(m.settleWindowMs(), justified(400));
    assert.equal(m.quietWindowMs(true), justified(400));
  });

  it('APICHAT_SETTLE_MS / APICHAT_QUIET_MS still fix the windows; the remembered starts never exceed this run\'s', () => {
    const state = remembered().state();
    const fixed = new TimingModel({ ...runTiming({ replyTimeoutMs: 10_000, quietMs: 700, settleMs: 20 }), state });
    assert.equal(fixed.settleWindowMs(), 20);
    assert.equal(fixed.quietWindowMs(true), 700);
    assert.equal(fixed.quietWindowMs(false), 700);
    const fresh = play(new TimingModel(LIVE), 1, 0, 5).state();
    assert.equal(fresh.settleStartMs, 100);
    const lower = new TimingModel({ ...runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined }), settleMs: 30, state: { ...fresh, settleStartMs: 100 } });
    assert.equal(lower.settleWindowMs(), 30);
  });
});
