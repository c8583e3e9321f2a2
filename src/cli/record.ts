// `apichat-bdd record --out FILE`: a chat with the bot in the terminal, written as a feature.
// Each input line is handled once the previous turn has gone quiet, so a pipe works like a
// person typing. End of input (Ctrl-D) or /save writes FILE; Ctrl-C leaves without writing.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseRate, Recorder, renderFeature } from '../author/index.ts';
import { startAuthorSession } from './author-session.ts';
import { EXIT, line, UsageError, type CliContext } from './context.ts';

export interface RecordFlags {
  out?: string;
  rate?: string;
  force?: boolean;
}

export async function recordCommand(ctx: CliContext, flags: RecordFlags, args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`record takes no arguments, got ${JSON.stringify(args.join(' '))}; the chat is read from the input`);
  if (!flags.out) throw new UsageError('record: --out FILE is required (the feature file to write), e.g. apichat-bdd record --out features/booking.feature');
  const out = resolve(flags.out);
  if (existsSync(out) && !flags.force) throw new UsageError(`record: ${flags.out} exists; choose another --out or add --force to replace it`);
  const rate = flags.rate === undefined ? undefined : parseRate(flags.rate);
  const input = ctx.stdin ?? process.stdin;
  const tty = (input as { isTTY?: boolean }).isTTY === true;

  const session = await startAuthorSession(ctx, rate);
  const recorder = new Recorder({
    observer: session.observer,
    io: { show: (lines) => lines.forEach((l) => line(ctx.stdout, l)), note: (l) => line(ctx.stderr, l), color: tty },
  });
  const name = `Recorded: ${basename(out, extname(out))}`;
  const save = async (): Promise<void> => {
    const doc = await recorder.feature(name);
    if (!doc) {
      line(ctx.stderr, `apichat-bdd record: nothing recorded; ${flags.out} not written`);
      return;
    }
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderFeature(doc));
    line(ctx.stderr, `apichat-bdd record: wrote ${flags.out} (${recorder.turns.length} turn${recorder.turns.length === 1 ? '' : 's'})`);
  };

  const rl = createInterface({ input, terminal: false });
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
    rl.close();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (tty) line(ctx.stderr, `apichat-bdd record: chatting with the ${session.mode} bot; type a message, a button number, or /help for the commands; Ctrl-D saves ${flags.out}, Ctrl-C leaves without saving`);
    const prompt = (): void => void (tty && ctx.stderr.write('> '));
    prompt();
    for await (const text of rl) {
      if (interrupted) break;
      if ((await recorder.handle(text)) === 'save') await save();
      prompt();
    }
    if (interrupted) {
      line(ctx.stderr, `apichat-bdd record: interrupted; ${flags.out} not written`);
      return 130;
    }
    await save();
    return EXIT.OK;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    rl.close();
    await recorder.close();
    await session.close();
  }
}
