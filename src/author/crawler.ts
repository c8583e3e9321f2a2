// Breadth-first over the bot's postback buttons. A path is a start message plus the taps after
// it (depth = number of taps); each path is visited twice in fresh conversations (the second
// visit finds volatile content, see generalise.ts) and becomes one scenario. Buttons of a
// message seen before are not followed again (cycles and repeats: BFS saw it first at a
// depth no greater, so its buttons are explored from there). Link buttons and turns without
// postback buttons (free-text prompts, silence) end a path. Bounded by depth and by the
// number of conversations.
import { ConversationError } from '../conversation/index.ts';
import { buttonsOf, textOf, type BotMessage } from '../protocol/index.ts';
import { Generaliser, tappable, UnstableError } from './generalise.ts';
import { describePath, type ScenarioDoc } from './model.ts';
import type { Action, ObservedTurn } from './observe.ts';

export interface CrawlOptions {
  starts: string[];
  depth: number;
  maxConversations: number;
  /** One visit of a path in a fresh conversation (the crawler runs two at once). */
  visit: (actions: Action[]) => Promise<ObservedTurn[]>;
  progress?: (p: CrawlProgress) => void;
  /** Aborted: stop after the paths being visited (what was crawled is still returned). */
  signal?: AbortSignal;
  /** Paths visited at once (default PARALLEL_PATHS). */
  parallel?: number;
}

/** A few paths at once: against a simulator the crawl is bound by quiet windows, not by the bot. */
export const PARALLEL_PATHS = 4;

interface Visited {
  path: Action[];
  turns?: [ObservedTurn[], ObservedTurn[]];
  error?: unknown;
}

async function visitTwice(o: CrawlOptions, path: Action[]): Promise<Visited> {
  try {
    const [a, b] = await Promise.all([o.visit(path), o.visit(path)]);
    return { path, turns: [a, b] };
  } catch (error) {
    return { path, error };
  }
}

export interface CrawlProgress {
  pathsDone: number;
  queued: number;
  buttonsFound: number;
  conversations: number;
  path: string;
  /** Set when the path could not be written. */
  problem?: string;
}

export interface CrawlStats {
  paths: number;
  scenarios: number;
  /** Distinct postback buttons offered where a tap stays within the depth. */
  buttonsFound: number;
  buttonsTapped: number;
  /** Distinct postback buttons offered only at the depth limit. */
  beyondDepth: number;
  linkButtons: number;
  cyclesCut: number;
  volatile: number;
  unstable: number;
  conversations: number;
  /** Paths still queued when --max-conversations stopped the crawl. */
  leftOver: number;
}

export interface CrawledScenario {
  start: string;
  /** The first tap of the path (null for the start message alone): the file it goes in. */
  branch: Action | null;
  doc: ScenarioDoc;
}

export interface CrawlResult {
  scenarios: CrawledScenario[];
  stats: CrawlStats;
  problems: string[];
}

/** The same message, whatever its address or arrival time. */
function messageKey(m: BotMessage): string {
  return JSON.stringify([m.kind, textOf(m), buttonsOf(m).map((b) => [b.card?.title ?? null, b.button.title, b.button.type, b.button.payload ?? null])]);
}

function buttonKey(m: BotMessage, tap: Action & { kind: 'tap' }): string {
  return JSON.stringify([textOf(m), tap.card ?? null, tap.title]);
}

export async function crawl(o: CrawlOptions): Promise<CrawlResult> {
  const queue: Action[][] = o.starts.map((text) => [{ kind: 'say', text }]);
  const scenarios: CrawledScenario[] = [];
  const problems: string[] = [];
  const stats: CrawlStats = { paths: 0, scenarios: 0, buttonsFound: 0, buttonsTapped: 0, beyondDepth: 0, linkButtons: 0, cyclesCut: 0, volatile: 0, unstable: 0, conversations: 0, leftOver: 0 };
  const state: CrawlState = { o, queue, stats, seenMessages: new Set(), found: new Set(), atLimit: new Set(), tapped: new Set(), links: new Set() };
  const { found, atLimit, tapped, links } = state;

  while (queue.length > 0 && !o.signal?.aborted) {
    // Paths are visited a few at a time and their results taken in queue order, so the crawl
    // is the same as one path after another, only sooner (the rate limit still applies).
    const budget = Math.floor((o.maxConversations - stats.conversations) / 2);
    if (budget <= 0) break;
    const batch = queue.splice(0, Math.min(o.parallel ?? PARALLEL_PATHS, budget));
    stats.conversations += 2 * batch.length;
    const visited = await Promise.all(batch.map((path) => visitTwice(o, path)));
    for (const { path, turns, error } of visited) {
      stats.paths++;
      let problem: string | undefined;
      let first: ObservedTurn[] | undefined;
      try {
        if (error !== undefined) throw error;
        const g = new Generaliser();
        // Both visits replay the same actions, so they have as many turns.
        const [once = [], twice = []] = turns ?? [];
        first = once;
        const doc = { name: describePath(path), turns: first.map((t, i) => g.turn(t, twice[i] ?? t, i)) };
        stats.volatile += g.volatile;
        scenarios.push({ start: (path[0] as { text: string }).text, branch: path[1] ?? null, doc });
      } catch (e) {
        if (!(e instanceof UnstableError) && !(e instanceof ConversationError)) throw e;
        stats.unstable++;
        problem = e.message.split('\n')[0] ?? e.message;
        problems.push(`${describePath(path)}: ${problem}`);
      }
      if (first) learn(state, path, first);
      o.progress?.({ pathsDone: stats.paths, queued: queue.length, buttonsFound: found.size, conversations: stats.conversations, path: describePath(path), ...(problem ? { problem } : {}) });
    }
  }
  stats.leftOver = queue.length;
  stats.scenarios = scenarios.length;
  stats.buttonsFound = found.size;
  stats.buttonsTapped = [...found].filter((k) => tapped.has(k)).length;
  stats.beyondDepth = [...atLimit].filter((k) => !found.has(k)).length;
  stats.linkButtons = links.size;
  return { scenarios, stats, problems };
}

interface CrawlState {
  o: CrawlOptions;
  queue: Action[][];
  stats: CrawlStats;
  seenMessages: Set<string>;
  found: Set<string>;
  atLimit: Set<string>;
  tapped: Set<string>;
  links: Set<string>;
}

/** From the first visit of a path: the button it tapped, the buttons its last turn offers, and the paths they lead to. */
function learn(state: CrawlState, path: Action[], first: ObservedTurn[]): void {
  const { o, queue, stats, seenMessages, found, atLimit, tapped, links } = state;
  const depth = path.length - 1;
  const last = first.at(-1)!;
  if (path.length > 1) {
    const prev = first.at(-2)!;
    const tap = path.at(-1) as Action & { kind: 'tap' };
    const source = [...prev.replies].reverse().find((m) => buttonsOf(m).some((b) => b.button.title === tap.title && b.card?.title === tap.card));
    if (source) tapped.add(buttonKey(source, tap));
  }
  const { taps } = tappable(last.replies);
  for (const m of last.replies) {
    for (const b of buttonsOf(m)) {
      if (b.button.type !== 'postback') links.add(JSON.stringify([textOf(m), b.card?.title ?? null, b.button.title, b.button.url ?? null]));
    }
  }
  for (const m of last.replies) {
    const mine = taps.filter((t) => t.kind === 'tap' && buttonsOf(m).some((b) => b.button.title === t.title && b.card?.title === t.card && b.button.type === 'postback'));
    if (mine.length === 0) continue;
    for (const t of mine) (depth < o.depth ? found : atLimit).add(buttonKey(m, t as Action & { kind: 'tap' }));
    if (depth >= o.depth) continue;
    const key = messageKey(m);
    if (seenMessages.has(key)) {
      stats.cyclesCut++;
      continue;
    }
    seenMessages.add(key);
    for (const t of mine) queue.push([...path, t]);
  }
}

/** The summary line printed at the end of a crawl. */
export function formatCrawlSummary(s: CrawlStats, files: number): string {
  const parts = [
    `${s.paths} path${s.paths === 1 ? '' : 's'}`,
    `${s.scenarios} scenario${s.scenarios === 1 ? '' : 's'} written in ${files} file${files === 1 ? '' : 's'}`,
    `postback buttons: ${s.buttonsFound} found, ${s.buttonsTapped} tapped${s.beyondDepth ? ` (${s.beyondDepth} more beyond the depth)` : ''}`,
    `${s.linkButtons} link button${s.linkButtons === 1 ? '' : 's'} not followed`,
    `${s.cyclesCut} cycle${s.cyclesCut === 1 ? '' : 's'} cut`,
    `${s.volatile} volatile repl${s.volatile === 1 ? 'y' : 'ies'} generalised`,
  ];
  if (s.unstable) parts.push(`${s.unstable} unstable path${s.unstable === 1 ? '' : 's'} skipped`);
  if (s.leftOver) parts.push(`stopped by --max-conversations with ${s.leftOver} path${s.leftOver === 1 ? '' : 's'} left`);
  return `apichat-bdd crawl: ${parts.join(', ')}`;
}
