// The learned windows kept between runs: .apichat-bdd/timing-<hash of the bot URL>.json, one per
// bot, written at the end of a live run (by the process that started it: the plugin's, which
// under --parallel holds what every worker reported) and read at the start of the next, so a
// second run starts where the first ended. Only in live mode: simulated mode knows its spread.
// Written whole (temporary file, then rename), 0600 in a 0700 folder like the webhook record
// (it holds no secret, but the folder's rule is one rule). A file from another format version,
// or one that does not parse, is ignored with one line: the run then learns from scratch.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { PathMemo, TimingState } from '../conversation/index.ts';
import { jsonOrUndefined } from '../inbox/wire.ts';
import { STATE_DIR } from './webhook-record.ts';

/** The file's format version: a file with another is ignored (the model's meaning may have changed). */
export const TIMING_FILE_VERSION = 1;

const ms = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
/** A conversation path's key (pathKey: 16 hex digits), in the file and on the worker channel. */
export const PathKeySchema = z.string().regex(/^[0-9a-f]{16}$/);
const PathMemoSchema = z.object({ replies: count, seen: count, windowMs: ms, mixed: z.boolean().optional() }) satisfies z.ZodType<PathMemo>;
export const TimingStateSchema = z.object({
  turns: count,
  maxGapMs: ms,
  gaps: count,
  maxFirstReplyMs: ms,
  firstReplies: count,
  settleStartMs: ms,
  quietAfterStartMs: ms,
  quietBeforeStartMs: ms,
  quietGapTurns: count,
  recentGapMs: ms,
  quietFirstTurns: count,
  recentFirstReplyMs: ms,
  // Absent in files written before paths were learned: nothing learned of them yet.
  paths: z.record(PathKeySchema, PathMemoSchema).optional(),
}) satisfies z.ZodType<TimingState>;

const TimingFileSchema = z.looseObject({
  version: z.number(),
  bot: z.string(),
  written_at: z.string(),
  state: z.unknown(),
});

/** A short, stable name for a bot: the file name must not carry its URL (it may hold a token). */
export function botHash(botUrl: string): string {
  return createHash('sha256').update(botUrl).digest('hex').slice(0, 16);
}

/** .apichat-bdd/timing-<hash>.json under `dir` (the working directory by default). */
export function timingPath(botUrl: string, dir: string = process.cwd()): string {
  return join(dir, STATE_DIR, `timing-${botHash(botUrl)}.json`);
}

/**
 * What earlier runs learned of this bot, or undefined (no file, or one that is ignored: then
 * `warn` gets one line saying why and that the run learns from scratch).
 */
export function readTimingState(botUrl: string, warn: (line: string) => void, dir?: string): TimingState | undefined {
  const path = timingPath(botUrl, dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`apichat-bdd: ignoring ${shown(path)}: ${(e as Error).message}; the live windows start conservative`);
    return undefined;
  }
  const file = TimingFileSchema.safeParse(jsonOrUndefined(text));
  if (!file.success) {
    warn(`apichat-bdd: ignoring ${shown(path)}: it is not a timing file (corrupt?); the live windows start conservative and the file is rewritten at the end of the run`);
    return undefined;
  }
  if (file.data.version !== TIMING_FILE_VERSION || file.data.bot !== botHash(botUrl)) {
    warn(`apichat-bdd: ignoring ${shown(path)}: written by another version of apichat-bdd (format ${String(file.data.version)}, this one reads ${TIMING_FILE_VERSION}); the live windows start conservative and the file is rewritten at the end of the run`);
    return undefined;
  }
  const state = TimingStateSchema.safeParse(file.data.state);
  if (!state.success) {
    warn(`apichat-bdd: ignoring ${shown(path)}: its timing state is incomplete or not numbers (corrupt?); the live windows start conservative and the file is rewritten at the end of the run`);
    return undefined;
  }
  return state.data;
}

/** Writes the state whole: a temporary file (0600), then a rename over the old one. */
export function writeTimingState(botUrl: string, state: TimingState, dir?: string): string {
  const path = timingPath(botUrl, dir);
  mkdirSync(join(dir ?? process.cwd(), STATE_DIR), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const file = { version: TIMING_FILE_VERSION, bot: botHash(botUrl), written_at: new Date().toISOString(), state };
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600); // the mode above is masked by the umask
  renameSync(temp, path);
  return path;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
