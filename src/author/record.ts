// `apichat-bdd record`: a chat with the bot, one input line at a time, written as a feature.
// Plain text is said; a number taps that button of the latest turn; /tap Title [on Card],
// /image|/audio|/video|/file URL, /say TEXT, /undo, /save, /help. Saving replays the session
// once in a fresh conversation, so replies that change between visits become patterns.
import { ApiChatError, isApiChatError } from '../base/errors.ts';
import { buttonsOf, renderCompact, type AttachmentKind } from '../protocol/index.ts';
import { generaliseByReplay } from './replay.ts';
import { describePath, type FeatureDoc } from './model.ts';
import { Observer, type Action, type ObservedTurn, type ObserverOptions } from './observe.ts';
import { renderTurn } from './terminal.ts';

export type Command =
  | { kind: 'action'; action: Action }
  | { kind: 'tap'; text: string }
  | { kind: 'number'; n: number }
  | { kind: 'undo' | 'save' | 'help' | 'empty' }
  | { kind: 'error'; message: string };

export const RECORD_HELP = [
  'text            say it to the bot',
  'N               tap button N of the latest replies',
  '/tap Title      tap a button (also /tap Title on Card)',
  '/image URL      send an image (also /audio, /video, /file)',
  '/say /text      say a text that starts with a slash',
  '/undo           drop the last turn (the rest is replayed in a new conversation)',
  '/save           write the feature now (end of input writes it too)',
];

const MEDIA = ['image', 'audio', 'video', 'file'] as const;

export function parseLine(raw: string): Command {
  const line = raw.trim();
  if (line === '') return { kind: 'empty' };
  if (/^\d+$/.test(line)) return { kind: 'number', n: Number(line) };
  if (!line.startsWith('/')) return { kind: 'action', action: { kind: 'say', text: line } };
  const [, word = '', rest = ''] = /^\/(\S*)\s*(.*)$/.exec(line) ?? [];
  const arg = rest.trim();
  if (word === 'say' && arg) return { kind: 'action', action: { kind: 'say', text: arg } };
  if (word === 'tap' && arg) return { kind: 'tap', text: arg };
  if ((MEDIA as readonly string[]).includes(word)) {
    if (!/^\S+$/.test(arg)) return { kind: 'error', message: `/${word} needs one URL, e.g. /${word} https://example.com/a.${word === 'image' ? 'jpg' : 'bin'}` };
    return { kind: 'action', action: { kind: 'send', media: word as AttachmentKind, url: arg } };
  }
  if (word === 'undo' || word === 'save' || word === 'help') return { kind: word };
  if (word === 'say' || word === 'tap') return { kind: 'error', message: `/${word} needs ${word === 'say' ? 'a text' : 'a button title'}` };
  return { kind: 'error', message: `unknown command /${word}; commands: /tap, /image, /audio, /video, /file, /say, /undo, /save, /help` };
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$|^'(.*)'$/, '$1$2');

export interface RecorderIO {
  /** The bot's replies (stdout). */
  show(lines: string[]): void;
  /** Notes and mistakes (stderr). */
  note(line: string): void;
  color: boolean;
}

export class Recorder {
  private observer: Observer | undefined;
  private numbered: Array<Action & { kind: 'tap' }> = [];
  turns: ObservedTurn[] = [];

  constructor(private readonly o: { observer: ObserverOptions; io: RecorderIO }) {}

  /** Handles one input line; resolves once the bot's turn (if any) has gone quiet. */
  async handle(line: string): Promise<'save' | undefined> {
    const c = parseLine(line);
    const io = this.o.io;
    switch (c.kind) {
      case 'empty':
        return undefined;
      case 'help':
        io.show(RECORD_HELP);
        return undefined;
      case 'save':
        return 'save';
      case 'error':
        io.note(`apichat-bdd: ${c.message}`);
        return undefined;
      case 'undo':
        await this.undo();
        return undefined;
      case 'number': {
        const tap = this.numbered[c.n - 1];
        if (!tap) {
          io.note(`apichat-bdd: there is no button ${c.n}; ${this.numbered.length ? `the latest replies number 1 to ${this.numbered.length}` : 'the latest replies have no button to tap'}`);
          return undefined;
        }
        await this.act(tap);
        return undefined;
      }
      case 'tap': {
        const tap = this.resolveTap(c.text);
        if (tap instanceof ApiChatError) io.note(`apichat-bdd: ${tap.message}`);
        else await this.act(tap);
        return undefined;
      }
      case 'action':
        await this.act(c.action);
        return undefined;
    }
  }

  private async open(): Promise<Observer> {
    this.observer ??= await Observer.open(this.o.observer);
    return this.observer;
  }

  private async act(action: Action): Promise<void> {
    const observer = await this.open();
    try {
      const turn = await observer.perform(action);
      this.turns.push(turn);
      this.show(turn);
    } catch (e) {
      if (!isApiChatError(e)) throw e;
      this.o.io.note(`apichat-bdd: ${e.message.split('\n')[0]} (nothing recorded)`);
    }
  }

  private show(turn: ObservedTurn): void {
    const r = renderTurn(turn.replies, turn.notes, this.o.io.color);
    this.numbered = r.numbered;
    this.o.io.show(r.lines);
  }

  /** "Title", "Title on Card" (a title that itself contains " on " wins when offered). */
  private resolveTap(text: string): Action | ApiChatError {
    const offers = (this.observer?.received() ?? []).filter((m) => !m.private).flatMap((m) => buttonsOf(m).map((b) => ({ ...b, m })));
    const whole = unquote(text);
    if (offers.some((o) => o.button.title === whole)) return { kind: 'tap', title: whole };
    const at = text.lastIndexOf(' on ');
    if (at > 0) {
      const title = unquote(text.slice(0, at));
      const card = unquote(text.slice(at + 4));
      if (offers.some((o) => o.button.title === title && o.card?.title === card)) return { kind: 'tap', title, card };
    }
    const latest = [...offers].reverse()[0]?.m;
    const list = latest
      ? buttonsOf(latest)
          .map((b) => (b.card ? `${JSON.stringify(b.button.title)} on ${JSON.stringify(b.card.title)}` : JSON.stringify(b.button.title)))
          .join(', ')
      : '';
    return new ApiChatError(
      'APICHAT_BUTTON_NOT_FOUND',
      latest
        ? `cannot tap ${JSON.stringify(whole)}: no message offers it; the latest buttons (${renderCompact(latest)}) are ${list} (nothing recorded)`
        : `cannot tap ${JSON.stringify(whole)}: the bot has not offered any button yet (nothing recorded)`,
    );
  }

  /** Drops the last turn; the bot cannot forget it, so the rest is replayed in a new conversation. */
  private async undo(): Promise<void> {
    const io = this.o.io;
    const dropped = this.turns.pop();
    if (!dropped) {
      io.note('apichat-bdd: nothing to undo');
      return;
    }
    await this.observer?.close();
    this.observer = undefined;
    this.numbered = [];
    const kept = this.turns;
    this.turns = [];
    io.note(`apichat-bdd: dropped ${describePath([dropped.action])}; replaying ${kept.length} turn${kept.length === 1 ? '' : 's'} in a new conversation`);
    for (const t of kept) {
      await this.act(t.action);
    }
  }

  async close(): Promise<void> {
    await this.observer?.close();
    this.observer = undefined;
  }

  /** Replays the session once and builds the feature; null when nothing was recorded. */
  async feature(name: string): Promise<FeatureDoc | null> {
    if (this.turns.length === 0) return null;
    const written = await generaliseByReplay(this.o.observer, this.turns, (i, why) => this.o.io.note(`apichat-bdd: turn ${i + 1}: ${why}; the feature asserts what the recording saw`));
    return {
      name,
      description: [
        'Recorded with `apichat-bdd record` and replayed once before writing: replies that',
        'changed between the two are checked with `matching /…/`, and values captured there',
        'are quoted as {{name}} in later steps.',
      ],
      // Named after the written actions, so a captured value shows as {{name}}, not as one run's value.
      scenarios: [{ name: describePath(written.map((t) => t.action)), turns: written }],
    };
  }
}
