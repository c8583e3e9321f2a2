// Conversation-level benchmarks against the embedded simulator on loopback:
//  1. resolve latency: from a webhook reaching the listener (arrived_at) to the waiting Then
//     resolving — in-process (serial runs) and over the SSE feed (--parallel workers);
//  2. framework overhead per step with zero bot delay and settle 0;
//  3. a two-turn conversation (say → 3 replies, tap → 1 reply) against a bot answering in 5 ms.
// Usage: npm run bench:conversation [-- --iterations 300]
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { BotClient, PartnerClient } from '../src/client/index.ts';
import { Conversation, TimingModel, type Timing } from '../src/conversation/index.ts';
import { runTiming } from '../src/run/run.ts';
import { LocalInbox, MemoryStore, RemoteInbox, startControlServer, startListener, type Inbox } from '../src/inbox/index.ts';
import { startSimulator, type BotDefinition } from '../src/simulator/index.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '300' } } });
const N = Number(values.iterations);

const bot = (delay: number): BotDefinition =>
  ({
    name: 'bench',
    fallback: [{ text: 'pong', delay_ms: delay }],
    rules: [
      {
        match: { text: 'hi' },
        replies: [
          { text: 'Hello!', delay_ms: delay },
          { text: 'I am a quick bot.' },
          { buttons: { text: 'Go on?', buttons: [{ title: 'Go', payload: 'GO' }] } },
        ],
      },
      { match: { payload: 'GO' }, replies: [{ text: 'Gone.', delay_ms: delay }] },
    ],
  }) as BotDefinition;

async function setup(opts: { delay: number; jitterMs: number; remote: boolean }) {
  const sim = await startSimulator({ bot: bot(opts.delay), jitterMs: opts.jitterMs });
  const store = new MemoryStore();
  const secret = randomBytes(16).toString('hex');
  const listener = await startListener({ secret, store });
  const partner = new PartnerClient({ baseUrl: sim.partnerBaseUrl, partnerKey: sim.partnerKey, workspaceId: sim.workspaceId });
  await partner.set({ webhook_url: listener.localUrl, webhook_verification_key: secret });
  const control = opts.remote ? await startControlServer(store) : undefined;
  const inbox: Inbox = control ? new RemoteInbox(control.url, { token: control.token }) : new LocalInbox(store);
  const client = new BotClient({ botUrl: sim.botUrl, flowKey: sim.flowKey });
  return {
    sim,
    open: (timing: Timing, model?: TimingModel) =>
      Conversation.open({ inbox, bot: client, senderId: `bench-${randomBytes(4).toString('hex')}`, name: 'Bench', conversationId: 1, timing, model }),
    close: async () => {
      await inbox.close();
      await control?.close();
      await listener.close();
      await sim.close();
    },
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const fmt = (xs: number[]): string => `median ${pct(xs, 50).toFixed(3)} ms, p99 ${pct(xs, 99).toFixed(3)} ms (n=${xs.length})`;

async function resolveLatency(remote: boolean): Promise<number[]> {
  const env = await setup({ delay: 0, jitterMs: 0, remote });
  const c = await env.open({ replyTimeoutMs: 5000, quietMs: 100, settleMs: 0 });
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    await c.say(`ping ${i}`);
    const { message } = await c.expect({ kind: 'text', mode: 'exact', value: 'pong' }, 'bench');
    out.push(performance.timeOrigin + performance.now() - message.arrived_at);
  }
  await c.close();
  await env.close();
  return out;
}

async function stepOverhead(): Promise<number[]> {
  const env = await setup({ delay: 0, jitterMs: 0, remote: false });
  const c = await env.open({ replyTimeoutMs: 5000, quietMs: 100, settleMs: 0 });
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await c.say(`ping ${i}`); // step 1: When the user says
    await c.expect({ kind: 'text', mode: 'exact', value: 'pong' }, 'bench'); // step 2: Then the bot replies
    out.push((performance.now() - t) / 2);
  }
  await c.close();
  await env.close();
  return out;
}

async function twoTurn(): Promise<{ times: number[]; settle: number }> {
  // "A bot that answers in 5 ms": each turn's first reply 5 ms after the message, the rest
  // within the simulator's 2 ms delivery spread. Settling is derived from that spread.
  const env = await setup({ delay: 5, jitterMs: 2, remote: false });
  const timing: Timing = runTiming({ replyTimeoutMs: 5000, quietMs: undefined, settleMs: undefined }, env.sim.deliverySpreadMs);
  const model = new TimingModel(timing); // the run's model, shared by its conversations
  const times: number[] = [];
  for (let i = 0; i < Math.min(N, 100); i++) {
    const c = await env.open(timing, model);
    const t = performance.now();
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Hello!' }, 'a');
    await c.expect({ kind: 'text', mode: 'exact', value: 'I am a quick bot.' }, 'b');
    await c.expect({ kind: 'buttons', titles: ['Go'] }, 'c');
    await c.tap('Go');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Gone.' }, 'd');
    times.push(performance.now() - t);
    await c.close();
  }
  await env.close();
  return { times, settle: model.settleWindowMs() };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; iterations ${N}`);
console.log(`resolve latency, in-process inbox (serial runs): ${fmt(await resolveLatency(false))}   target p99 < 1 ms`);
console.log(`resolve latency, SSE feed (--parallel workers):  ${fmt(await resolveLatency(true))}`);
console.log(`framework overhead per step (say/expect, zero bot delay, settle 0): ${fmt(await stepOverhead())}   target median < 2 ms`);
const tt = await twoTurn();
console.log(`two-turn conversation (bot answers in 5 ms, settle ${tt.settle} ms derived): ${fmt(tt.times)}   Botium 1.15: 35–55 ms`);
