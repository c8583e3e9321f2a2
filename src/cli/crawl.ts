// `apichat-bdd crawl`: walks the bot's postback buttons breadth-first from the start messages
// and writes feature files that pass when run again. Progress on stderr, one line per path;
// the summary line on stdout. Ctrl-C stops after the paths being visited and writes what was crawled.
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { crawl, formatCrawlSummary, groupIntoFiles, observePath, parseRate, renderFeature } from '../author/index.ts';
import { intFlag, startAuthorSession } from './author-session.ts';
import { EXIT, line, UsageError, type CliContext } from './context.ts';

export interface CrawlFlags {
  start?: string[];
  depth?: string;
  out?: string;
  'max-conversations'?: string;
  rate?: string;
}

export const CRAWL_DEFAULTS = { start: 'hi', depth: 3, out: 'features/crawled', maxConversations: 200 } as const;
/** Deeper than this, the number of paths can explode: the user must bound it explicitly. */
export const UNBOUNDED_DEPTH = 8;

export async function crawlCommand(ctx: CliContext, flags: CrawlFlags, args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`crawl takes no arguments, got ${JSON.stringify(args.join(' '))}; start messages go in --start "text"`);
  const starts = flags.start?.length ? flags.start : [CRAWL_DEFAULTS.start];
  if (starts.some((s) => s.trim() === '')) throw new UsageError('--start: a start message cannot be empty, e.g. --start "hi"');
  const depth = intFlag('depth', flags.depth, CRAWL_DEFAULTS.depth, 0, 50);
  if (depth > UNBOUNDED_DEPTH && flags['max-conversations'] === undefined) {
    throw new UsageError(`--depth ${depth}: beyond ${UNBOUNDED_DEPTH} taps the number of paths can grow very large; give --max-conversations N as well to bound it (the default is ${CRAWL_DEFAULTS.maxConversations})`);
  }
  const maxConversations = intFlag('max-conversations', flags['max-conversations'], CRAWL_DEFAULTS.maxConversations, 2, 100_000);
  const rate = flags.rate === undefined ? undefined : parseRate(flags.rate);
  const out = resolve(flags.out ?? CRAWL_DEFAULTS.out);

  const session = await startAuthorSession(ctx, rate);
  let result;
  try {
    line(ctx.stderr, `apichat-bdd crawl: ${session.mode} bot, from ${starts.map((s) => JSON.stringify(s)).join(', ')}, depth ${depth}, at most ${maxConversations} conversations`);
    result = await crawl({
      starts,
      depth,
      maxConversations,
      signal: ctx.signal,
      visit: (actions) => observePath(session.observer, actions),
      progress: (p) =>
        line(ctx.stderr, `apichat-bdd crawl: [${p.pathsDone} done, ${p.queued} queued, ${p.buttonsFound} buttons found] ${p.path}${p.problem ? ` — not written: ${p.problem}` : ''}`),
    });
  } finally {
    await session.close();
  }
  const files = groupIntoFiles(result.scenarios, depth);
  if (files.length > 0) await mkdir(out, { recursive: true });
  for (const f of files) {
    const path = join(out, f.name);
    await writeFile(path, renderFeature(f.doc));
    line(ctx.stderr, `apichat-bdd crawl: wrote ${shownPath(path)} (${f.doc.scenarios.length} scenario${f.doc.scenarios.length === 1 ? '' : 's'})`);
  }
  line(ctx.stdout, formatCrawlSummary(result.stats, files.length));
  if (ctx.signal.aborted) {
    line(ctx.stderr, 'apichat-bdd crawl: interrupted; the paths crawled so far were written');
    return 130;
  }
  return EXIT.OK;
}

/** Relative to the current directory when inside it, else absolute. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
