// The conversation report as a Cucumber formatter plugin (see steps/report-formatter.mjs):
// formatters run in the coordinating process and receive every envelope, also from
// --parallel workers, so the page covers the whole run. Written when the run finishes, and on
// exit (Ctrl-C: the plugin exits the process) with what the run got to. Always written whole:
// a temporary file renamed over the target, never a half-written or empty page. (Cucumber
// truncates the target when it opens it, so a placeholder page goes there at once.)
import { readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
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

/** Where the coordinator plugin finds the report's path for its end-of-run coverage line. */
export const REPORT_PATH_KEY = Symbol.for('apichat-bdd/conversation-report');

export function conversationReportFormatter(ctx: FormatterContext): () => void {
  const builder = new ReportBuilder(ctx.options?.title ?? 'Conversation report');
  const file = targetFile(ctx);
  const path = file ? shortest(file) : ctx.directory === undefined ? undefined : shortest(ctx.directory);
  if (path) (globalThis as Record<symbol, unknown>)[REPORT_PATH_KEY] = path;
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

/** The file the stream writes to (Linux: the stream's fd in /proc), or undefined. */
function targetFile(ctx: FormatterContext): string | undefined {
  const fd = (ctx.stream as { fd?: unknown }).fd;
  if (ctx.directory === undefined || typeof fd !== 'number') return undefined;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined; // not Linux: written through the stream
  }
}

/** Temporary file in the same folder, then rename: readers see the old page or the new one, whole. */
export function writeWhole(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

function shortest(absolute: string): string {
  const rel = relative(process.cwd(), absolute) || '.';
  return rel.startsWith('..') ? absolute : rel;
}
