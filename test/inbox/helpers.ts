// Shared builders for the inbox tests (not a test file).
import type { EventEmitter } from 'node:events';
import { buildTextReply, normalise, type BotMessage } from '../../src/protocol/index.ts';
import type { TestContext } from 'node:test';
import { MemoryStore, RemoteInbox, startControlServer, type Inbox, type RunningControl } from '../../src/inbox/index.ts';

let clock = 1_700_000_000_000;

/** A normalised text reply for sender, as the listener would store it (sender null: no sender_id, so kind "unknown"). */
export function textMsg(sender: string | null, text: string, conv = 1): BotMessage {
  const raw = sender === null ? { conv_id: conv, message_type: 'outgoing', type: 'text', text, private: false } : buildTextReply({ sender_id: sender, conv_id: conv }, text);
  return normalise(raw, clock++);
}

export function textOfMsg(m: BotMessage): string {
  assertKind(m, 'text');
  return m.text;
}

function assertKind<K extends BotMessage['kind']>(m: BotMessage, kind: K): asserts m is Extract<BotMessage, { kind: K }> {
  if (m.kind !== kind) throw new Error(`expected a ${kind} message, got ${m.kind}`);
}

/** The store's emitter, to count listeners left behind (white-box, read only). */
export function emitterOf(store: MemoryStore): EventEmitter {
  return (store as unknown as { events: EventEmitter }).events;
}

/** How many timers are alive in this process right now. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Resolves after pending microtasks (and one macrotask turn) have run, without a timer. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Fisher–Yates with a seeded generator, so failures reproduce. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** mulberry32: a tiny deterministic PRNG. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A promise with its resolve exposed, for event-driven waiting in tests. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface Harness {
  store: MemoryStore;
  inbox: Inbox;
  close(): Promise<void>;
}

/** A store behind a real control server and a RemoteInbox reading it; closed after test `t` when given. */
export async function remoteHarness(t?: TestContext): Promise<Harness & { inbox: RemoteInbox; control: RunningControl }> {
  const store = new MemoryStore();
  const control = await startControlServer(store);
  const inbox = new RemoteInbox(control.url, { token: control.token });
  const close = async () => {
    await inbox.close();
    await control.close();
  };
  t?.after(close);
  return { store, inbox, control, close };
}
