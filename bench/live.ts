// Live mode against a platform in another process: `apichat-bdd simulate <bot> --jitter-ms J`
// is the platform; this process runs the real live path (startRun with APICHAT_* variables: the
// listener, the webhook registration with its handshake, the BotClient, the timing file) and
// times conversations, beside Botium 1.15 (bench/botium.ts) in the same run against a second
// platform process with the same bot (a workspace has one webhook). Per bot: our first run (the
// timing file removed before it), then our second run (starting from the file the first wrote);
// every conversation of ours is interleaved with one of Botium's and one bare-client exchange
// (the same HTTP exchange with no settling), and each run's ratio is against its own Botium.
//  1. the two-turn conversation (say "hi" → text + buttons, tap "Rooms" → carousel) against a
//     5 ms bot, for each --conversations count, and against the 300 ms / 40 ms platform;
//  2. `says nothing more` after the carousel: how long it listened;
//  3. late-reply stress: a bot that pauses 150 ms while "typing" (three replies), the scenario
//     asserts the first and sends the next message; misattributed replies are counted, in a
//     first and a second run, fresh and after fast conversations shrank the window.
// Usage: npm run bench:live [-- --conversations 20,50,200 --slow 20 --stress 40]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BotClient } from '../src/client/index.ts';
import { loadConfig } from '../src/config.ts';
import { Conversation, TimingModel } from '../src/conversation/index.ts';
import { buildIncoming, type BotMessage } from '../src/protocol/index.ts';
import { startRun, type RunHandle } from '../src/run/run.ts';
import { timingPath } from '../src/run/timing-file.ts';
import { BOTIUM_VERSION, startBotium, type BotiumSession } from './botium.ts';

const { values } = parseArgs({ options: { conversations: { type: 'string', default: '20,50,200' }, slow: { type: 'string', default: '20' }, stress: { type: 'string', default: '40' } } });
const COUNTS = values.conversations.split(',').map(Number);
const SLOW = Number(values.slow);
const STRESS = Number(values.stress);
const load = (): string => `load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')}`;

const dir = mkdtempSync(join(tmpdir(), 'apichat-bench-live-'));
const BOTS = {
  // A bot that answers in 5 ms; the platform sends a turn's replies concurrently, up to 2 ms apart.
  fast: { jitter: 2, yaml: twoTurnBot(5, 0) },
  // A realistic platform: 300 ms to the first reply, 40 ms between replies.
  slow: { jitter: 2, yaml: twoTurnBot(300, 40) },
  // "Typing": three replies 150 ms apart; "next" is answered in 5 ms.
  typing: {
    jitter: 2,
    yaml: `name: typing
fallback: [ { text: "answer", delay_ms: 5 } ]
rules:
  - match: { text: hi }
    replies: [ { text: one, delay_ms: 5 }, { text: two, delay_ms: 150 }, { text: three, delay_ms: 150 } ]
`,
  },
};

function twoTurnBot(latency: number, gap: number): string {
  return `name: two-turn
fallback: [ { text: "?" } ]
rules:
  - match: { text: hi }
    replies:
      - { text: "Hello! I am a bench bot.", delay_ms: ${latency} }
      - { buttons: { text: "What would you like to do?", buttons: [ { title: Rooms, payload: ROOMS } ] }, delay_ms: ${gap} }
  - match: { payload: ROOMS }
    replies:
      - carousel: { text: "Our rooms", cards: [ { title: Deluxe, buttons: [ { title: Choose, payload: DELUXE } ] }, { title: Suite, buttons: [ { title: Choose, payload: SUITE } ] } ] }
        delay_ms: ${latency}
`;
}

interface Platform {
  child: ChildProcess;
  info: { bot_url: string; partner_base_url: string; workspace_id: string; flow_api_key: string; partner_api_key: string };
}

async function startPlatform(name: keyof typeof BOTS): Promise<Platform> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, BOTS[name].yaml);
  const child = spawn(process.execPath, ['bin/apichat-bdd.js', 'simulate', file, '--jitter-ms', String(BOTS[name].jitter)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const info = await new Promise<Platform['info']>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`simulate exited with ${code}`)));
  });
  return { child, info };
}

async function stopPlatform(p: Platform): Promise<void> {
  const exited = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill('SIGINT');
  await exited;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** The live run, as the Cucumber plugin starts it: only APICHAT_* variables. */
async function liveRun(p: Platform, timing: Record<string, string> = {}): Promise<RunHandle> {
  const port = await freePort();
  const config = loadConfig({
    APICHAT_PARTNER_BASE_URL: p.info.partner_base_url,
    APICHAT_PARTNER_API_KEY: p.info.partner_api_key,
    APICHAT_WORKSPACE_ID: p.info.workspace_id,
    APICHAT_FLOW_API_KEY: p.info.flow_api_key,
    APICHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    APICHAT_LISTEN_PORT: String(port),
    APICHAT_PUBLIC_URL: `http://127.0.0.1:${port}/webhook`,
    ...timing,
  });
  return startRun(config);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function open(run: RunHandle, bot: BotClient, model: TimingModel): Promise<Conversation> {
  return Conversation.open({ inbox: run.inbox, bot, senderId: `bench-${randomBytes(6).toString('hex')}`, name: 'Bench', conversationId: 1, timing: model.timing, model });
}

/** The two-turn conversation; returns its time and how long `says nothing more` listened after it. */
async function twoTurn(run: RunHandle, bot: BotClient, model: TimingModel): Promise<{ ms: number; quietMs: number }> {
  const t = performance.now(); // from opening the conversation, as Botium's time runs from Start()
  const c = await open(run, bot, model);
  await c.say('hi');
  await c.expect({ kind: 'text', mode: 'exact', value: 'Hello! I am a bench bot.' }, 'greeting');
  await c.expect({ kind: 'buttons', titles: ['Rooms'] }, 'menu');
  await c.tap('Rooms');
  await c.expect({ kind: 'carousel', count: 2 }, 'carousel');
  const took = performance.now() - t;
  const q = performance.now();
  await c.expectNothingMore();
  const quietMs = performance.now() - q;
  const closing = performance.now();
  await c.close();
  return { ms: took + (performance.now() - closing), quietMs };
}

/** The same HTTP exchange with no framework: post, wait for the replies, post the tap, wait. */
async function bare(run: RunHandle, bot: BotClient): Promise<number> {
  const sender = `bare-${randomBytes(6).toString('hex')}`;
  const store = run.store!; // a listener run (no APICHAT_REDIS_URL) has its store here
  store.register(sender);
  const got: BotMessage[] = [];
  let wake = (): void => {};
  const unsubscribe = store.subscribe(sender, (m) => {
    got.push(m);
    wake();
  });
  const until = (n: number): Promise<void> => (got.length >= n ? Promise.resolve() : new Promise((resolve) => (wake = () => got.length >= n && resolve())));
  const t = performance.now();
  await bot.send(buildIncoming({ id: sender, name: 'Bare' }, 1, { kind: 'text', text: 'hi' }));
  await until(2);
  await bot.send(buildIncoming({ id: sender, name: 'Bare' }, 1, { kind: 'postback', title: 'Rooms', payload: 'ROOMS' }));
  await until(3);
  const took = performance.now() - t;
  unsubscribe();
  store.unregister(sender);
  return took;
}

/**
 * One run of ours (first or second): n two-turn conversations with the run's model. Each is
 * interleaved with one Botium conversation (against its own platform process, same bot) and one
 * bare-client exchange, so the machine's noise hits all three alike.
 */
async function oursRun(p: Platform, botium: BotiumSession, n: number, env: Record<string, string> = {}): Promise<{ times: number[]; botium: number[]; quiet: number[]; floor: number[]; end: string }> {
  const run = await liveRun(p, env);
  const bot = new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey });
  const model = run.timing; // the run's model: the one written to the timing file at close
  const start = model.snapshot();
  const times: number[] = [];
  const botiumTimes: number[] = [];
  const quiet: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < n; i++) {
    botiumTimes.push(await botium.conversation());
    floor.push(await bare(run, bot));
    const r = await twoTurn(run, bot, model);
    times.push(r.ms);
    quiet.push(r.quietMs);
  }
  const s = model.snapshot();
  await run.close();
  const end = `windows at the start: settle ${start.settleMs} / quiet ${start.quietAfterReplyMs} ms; at the end: settle ${s.settleMs} ms, quiet ${s.quietAfterReplyMs} ms after a reply / ${s.quietBeforeReplyMs} ms before one (longest pause ${s.maxGapMs.toFixed(1)} ms, slowest first reply ${s.maxFirstReplyMs.toFixed(1)} ms, ${s.turns} turns)`;
  return { times, botium: botiumTimes, quiet, floor, end };
}

async function twoTurnBench(name: 'fast' | 'slow', n: number): Promise<void> {
  const p = await startPlatform(name);
  const forBotium = await startPlatform(name); // a workspace has one webhook: Botium gets its own platform
  let botium: BotiumSession | undefined;
  try {
    rmSync(timingPath(p.info.bot_url), { force: true });
    botium = await startBotium(forBotium.info, await freePort());
    console.log(`${name} bot, ${n} conversations (${load()}):`);
    const first = await oursRun(p, botium, n);
    if (!existsSync(timingPath(p.info.bot_url))) throw new Error('the first run wrote no timing file');
    const second = await oursRun(p, botium, n);
    // The engine alone: no settling (what the settle window costs; not deterministic in general).
    const engine = await oursRun(p, botium, n, { APICHAT_SETTLE_MS: '0' });
    for (const [label, r] of [['first run (no timing file)', first], ['second run (timing file)', second], ['engine alone (APICHAT_SETTLE_MS=0)', engine]] as const) {
      const b = pct(r.botium, 50);
      console.log(
        `  ${label}: ours median ${ms(pct(r.times, 50))} (p90 ${ms(pct(r.times, 90))}, first ${ms(r.times[0]!)}), Botium ${BOTIUM_VERSION} median ${ms(b)} (p90 ${ms(pct(r.botium, 90))}): **${(pct(r.times, 50) / b).toFixed(2)}× Botium**; ` +
          `bare client ${ms(pct(r.floor, 50))}; says nothing more listened ${ms(pct(r.quiet, 50))}; ${r.end}`,
      );
    }
    console.log(`  (${load()} at the end)`);
  } finally {
    await botium?.close();
    rmSync(timingPath(p.info.bot_url), { force: true });
    await stopPlatform(p);
    await stopPlatform(forBotium);
  }
}

/** Typing-bot stress: every reply must land in the turn that caused it. One run (first or second) against platform p. */
async function stressRun(p: Platform, label: string, warmFast: number): Promise<number> {
  let misattributed = 0;
  let afterSeen = 0; // misattributed in conversations that started once the run had seen a pause of 100+ ms
  let failures = 0;
  const run = await liveRun(p);
  const bot = new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey });
  const model = run.timing;
  const settleAtStart = model.settleWindowMs();
  // Optionally teach the model a fast bot first (single quick replies), so its window shrinks.
  for (let i = 0; i < warmFast; i++) {
    const c = await open(run, bot, model);
    await c.say('ping');
    await c.expect({ kind: 'text', mode: 'exact', value: 'answer' }, 'fast');
    await c.say('ping');
    await c.expect({ kind: 'text', mode: 'exact', value: 'answer' }, 'fast');
    await c.close();
  }
  const settleBefore = model.settleWindowMs();
  const times: number[] = [];
  for (let i = 0; i < STRESS; i++) {
    const c = await open(run, bot, model);
    const seenPause = model.longestPauseMs >= 100;
    const t = performance.now();
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'one' }, 'only the first');
    await c.say('next');
    await c.expect({ kind: 'text', mode: 'exact', value: 'answer' }, 'answer');
    try {
      await c.expectNothingMore();
    } catch {
      failures++;
    }
    times.push(performance.now() - t);
    // Every reply has arrived now (the answer came after the late ones, or nothing-more waited for them).
    const byText = new Map(c.transcript.events.flatMap((e) => (e.type === 'bot' && e.message.kind === 'text' ? [[e.message.text, e.turn] as const] : [])));
    for (const [text, turn] of [['one', 1], ['two', 1], ['three', 1], ['answer', 2]] as const) {
      if (byText.get(text) === turn) continue;
      misattributed++;
      if (seenPause) afterSeen++;
    }
    await c.close();
  }
  await run.close();
  console.log(
    `  ${label}: ${STRESS} conversations, **${misattributed} misattributed** replies (${afterSeen} once the run had seen the pauses), ${failures} failed "says nothing more"; ` +
      `settle window ${settleAtStart} ms at the start, ${settleBefore} ms before the first typing conversation, ${model.settleWindowMs()} ms after; per conversation median ${ms(pct(times, 50))}`,
  );
  return misattributed + failures;
}

/** A first run (timing file removed) and a second run (from the file), on one platform process. */
async function stress(label: string, warmFast: number): Promise<void> {
  const p = await startPlatform('typing');
  try {
    rmSync(timingPath(p.info.bot_url), { force: true });
    console.log(`late-reply stress, ${label} (${load()}):`);
    await stressRun(p, 'first run (no timing file)', warmFast);
    await stressRun(p, 'second run (timing file)', warmFast);
  } finally {
    rmSync(timingPath(p.info.bot_url), { force: true });
    await stopPlatform(p);
  }
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${load()}; the platform is a separate process (apichat-bdd simulate --jitter-ms 2)`);
try {
  for (const n of COUNTS) await twoTurnBench('fast', n);
  await twoTurnBench('slow', SLOW);
  await stress('the typing bot from the start', 0);
  await stress('after 30 fast conversations shrank the window', 30);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
