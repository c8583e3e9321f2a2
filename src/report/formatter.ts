// The conversation report as a Cucumber formatter plugin (see steps/report-formatter.mjs):
// formatters run in the coordinating process and receive every envelope, also from
// --parallel workers, so the page covers the whole run. Written when the run finishes, and on
// exit (Ctrl-C: the plugin exits the process) with what the run got to. Always written whole:
// a temporary file renamed over the target, never a half-written or empty page. (Cucumber
// truncates the target when it opens it, so a placeholder page goes there at once.)
import { fstatSync, readdirSync, statSync } from 'node:fs';
import { writeWhole } from '../base/files.ts';
import { join, relative } from 'node:path';
import { processState } from '../run/process-state.ts';
import type { Envelope } from './envelopes.ts';
import { renderReportHtml } from './html.ts';
import { ReportBuilder } from './model.ts';
import { escapeHtml } from './escape.ts';

export interface FormatterContext {
  on(key: 'message', handler: (envelope: Envelope) => void): void;
  options: { title?: string } | undefined;
  logger: { warn(message: string, ...rest: unknown[]): void; error(message: string, ...rest: unknown[]): void };
  stream: NodeJS.WritableStream;
  write(buffer: string | Uint8Array): void;
  directory?: string;
}

export function conversationReportFormatter(ctx: FormatterContext): () => void {
  const builder = new ReportBuilder(ctx.options?.title ?? 'Conversation report');
  const file = targetFile(ctx);
  const path = file ? shortest(file) : ctx.directory === undefined ? undefined : shortest(ctx.directory);
  if (path) processState().reportPath = path;
  const output = (html: string): void => {
    if (!file) return ctx.write(html);
    try {
      writeWhole(file, html);
    } catch (e) {
      ctx.logger.error(`apichat-bdd: could not write the conversation report ${path}: ${(e as Error).message}`);
    }
  };
  if (file) output(PLACEHOLDER);
  let written = false;
  const flush = (): void => {
    if (written) return;
    written = true;
    process.off('exit', flush);
    let html: string;
    try {
      html = renderReportHtml(builder.build());
    } catch (e) {
      // A report bug must not fail the test run; say so in the page and on stderr.
      ctx.logger.error(`apichat-bdd: could not render the conversation report: ${(e as Error).stack ?? String(e)}`);
      html = `<!doctype html><meta charset="utf-8"><title>Conversation report</title><h1>Conversation report</h1><pre>${escapeHtml((e as Error).stack ?? String(e))}</pre>`;
    }
    output(html);
  };
  // Synchronous on purpose: 'exit' listeners cannot wait. Covers Ctrl-C (the plugin's process.exit).
  process.once('exit', flush);
  ctx.on('message', (envelope) => {
    builder.add(envelope);
    if (envelope.testRunFinished) flush();
  });
  // Cucumber calls this before ending the stream; covers runs that never finished (parse errors).
  return flush;
}

const PLACEHOLDER =
  '<!doctype html><meta charset="utf-8"><title>Conversation report</title><h1>Conversation report</h1><p>The run is still going, or was killed: this page is replaced when it ends.</p>\n';

/** The file the stream writes to, or undefined (then the page goes through the stream). */
function targetFile(ctx: FormatterContext): string | undefined {
  const fd = (ctx.stream as { fd?: unknown }).fd;
  if (ctx.directory === undefined || typeof fd !== 'number') return undefined;
  return fileOf(fd, ctx.directory);
}

/**
 * The file in `dir` that the descriptor is open on (same device and inode). Cucumber opens the
 * target in `dir` and passes only the stream; this works on every OS, unlike /proc/self/fd.
 */
function fileOf(fd: number, dir: string): string | undefined {
  try {
    const open = fstatSync(fd);
    for (const name of readdirSync(dir)) {
      const s = statSync(join(dir, name));
      if (s.isFile() && s.ino === open.ino && s.dev === open.dev) return join(dir, name);
    }
  } catch {
    // the directory went away or is unreadable: fall back to the stream
  }
  return undefined;
}

function shortest(absolute: string): string {
  const rel = relative(process.cwd(), absolute) || '.';
  return rel.startsWith('..') ? absolute : rel;
}
