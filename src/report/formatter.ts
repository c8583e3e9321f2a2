// The conversation report as a Cucumber formatter plugin (see steps/report-formatter.mjs):
// formatters run in the coordinating process and receive every envelope, also from
// --parallel workers, so the page covers the whole run. Written when the run finishes.
import { readlinkSync } from 'node:fs';
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
  const path = reportPath(ctx);
  if (path) (globalThis as Record<symbol, unknown>)[REPORT_PATH_KEY] = path;
  let written = false;
  const flush = (): void => {
    if (written) return;
    written = true;
    let html: string;
    try {
      html = renderReportHtml(builder.build());
    } catch (e) {
      // A report bug must not fail the test run; say so in the page and on stderr.
      ctx.logger.error(`apichat-bdd: could not render the conversation report: ${(e as Error).stack ?? String(e)}`);
      html = `<!doctype html><meta charset="utf-8"><title>Conversation report</title><h1>Conversation report</h1><pre>${escapeHtml((e as Error).stack ?? String(e))}</pre>`;
    }
    ctx.write(html);
  };
  ctx.on('message', (envelope) => {
    builder.add(envelope);
    if (envelope.testRunFinished) flush();
  });
  // Cucumber calls this before ending the stream; covers runs that never finished (parse errors).
  return flush;
}

/** The file the stream writes to, relative to the working directory (Linux), else its directory. */
function reportPath(ctx: FormatterContext): string | undefined {
  const fd = (ctx.stream as { fd?: unknown }).fd;
  if (ctx.directory === undefined) return undefined;
  if (typeof fd === 'number') {
    try {
      return shortest(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // not Linux: fall back to the directory
    }
  }
  return shortest(ctx.directory);
}

function shortest(absolute: string): string {
  const rel = relative(process.cwd(), absolute) || '.';
  return rel.startsWith('..') ? absolute : rel;
}
