// Bot coverage across a run: every button the bot offered (keyed by the message text, the card
// and the button's title and payload) and whether any scenario tapped it; every reply text seen.
import type { TranscriptData } from '../conversation/transcript.ts';
import { buttonsOf, textOf } from '../protocol/index.ts';
import { attributeTaps } from './chat.ts';

export interface ButtonCoverage {
  /** The text of the message offering it (button template or carousel text). */
  messageText: string;
  /** The card it sits on (carousels). */
  card?: string;
  title: string;
  type: string;
  payload?: string;
  url?: string;
  /** How many deliveries offered it. */
  offered: number;
  /** How many taps went to it. */
  tapped: number;
  /** Scenarios whose conversation offered / tapped it (each once, in run order). */
  offeredIn: string[];
  tappedIn: string[];
}

export interface ReplyTextCoverage {
  text: string;
  kind: 'text' | 'buttons' | 'carousel';
  private: boolean;
  count: number;
}

export interface Coverage {
  /** Postback buttons: the ones a test can tap. */
  buttons: ButtonCoverage[];
  /** Buttons that send nothing to the bot when tapped (web_url and other types). */
  links: ButtonCoverage[];
  replies: ReplyTextCoverage[];
  exercised: number;
  total: number;
  conversations: number;
}

export interface CoverageInput {
  scenario: string;
  transcript: TranscriptData;
}

export function computeCoverage(inputs: Iterable<CoverageInput>): Coverage {
  const buttons = new Map<string, ButtonCoverage>();
  const replies = new Map<string, ReplyTextCoverage>();
  let conversations = 0;
  const once = (list: string[], name: string): void => {
    if (!list.includes(name)) list.push(name);
  };

  for (const { scenario, transcript } of inputs) {
    conversations++;
    const keys = new Map<string, string>(); // `${event}/${button}` → coverage key
    transcript.events.forEach((e, i) => {
      if (e.type !== 'bot') return;
      const m = e.message;
      const text = textOf(m);
      if (text !== null && (m.kind === 'text' || m.kind === 'buttons' || m.kind === 'carousel')) {
        const rk = JSON.stringify([text, m.kind, m.private]);
        const r = replies.get(rk) ?? { text, kind: m.kind, private: m.private, count: 0 };
        r.count++;
        replies.set(rk, r);
      }
      if (m.private) return;
      buttonsOf(m).forEach(({ button, card }, k) => {
        const type = button.type ?? 'postback';
        const payload = button.payload ?? (type === 'postback' ? button.title : undefined);
        const key = JSON.stringify([text ?? '', card?.title ?? null, button.title, type, payload ?? null, type === 'postback' ? null : (button.url ?? null)]);
        const b: ButtonCoverage = buttons.get(key) ?? {
          messageText: text ?? '',
          ...(card ? { card: card.title } : {}),
          title: button.title,
          type,
          ...(payload != null ? { payload } : {}),
          ...(button.url ? { url: button.url } : {}),
          offered: 0,
          tapped: 0,
          offeredIn: [],
          tappedIn: [],
        };
        b.offered++;
        once(b.offeredIn, scenario);
        buttons.set(key, b);
        keys.set(`${i}/${k}`, key);
      });
    });
    for (const { event, button } of attributeTaps(transcript).values()) {
      const b = buttons.get(keys.get(`${event}/${button}`) ?? '');
      if (!b) continue;
      b.tapped++;
      once(b.tappedIn, scenario);
    }
  }

  const all = [...buttons.values()];
  const postbacks = all.filter((b) => b.type === 'postback');
  return {
    buttons: postbacks,
    links: all.filter((b) => b.type !== 'postback'),
    replies: [...replies.values()],
    exercised: postbacks.filter((b) => b.tapped > 0).length,
    total: postbacks.length,
    conversations,
  };
}

/** "buttons exercised: 14 of 19, 23 reply texts seen" (one line for the end of a run). */
export function formatCoverageLine(c: Coverage): string {
  const parts = [`buttons exercised: ${c.exercised} of ${c.total}`];
  if (c.links.length > 0) parts.push(`${c.links.length} link button${c.links.length === 1 ? '' : 's'} not tappable`);
  const texts = c.replies.filter((r) => !r.private).length;
  parts.push(`${texts} distinct reply text${texts === 1 ? '' : 's'} seen`);
  return parts.join(', ');
}

/** "What would you like to do? › Help (HELP)", "Our rooms › Suite › Details (DETAILS_SUITE)". */
export function describeButton(b: ButtonCoverage): string {
  const where = [b.messageText || '(no text)', ...(b.card !== undefined ? [b.card] : [])].join(' › ');
  const detail = b.type === 'postback' ? (b.payload !== undefined && b.payload !== b.title ? ` (${b.payload})` : '') : ` (${b.type}${b.url ? ` ${b.url}` : ''})`;
  return `${where} › ${b.title}${detail}`;
}
