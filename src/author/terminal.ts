// The bot's replies in a terminal, as the conversation report draws them: text, buttons with
// the numbers `record` accepts, carousel cards, media, unknown shapes, and private notes
// greyed. Pure: returns lines and the numbered buttons.
import { buttonsOf, renderCompact, type BotMessage } from '../protocol/index.ts';
import type { Action } from './observe.ts';

export interface Rendered {
  lines: string[];
  /** Button n (1-based) is numbered[n - 1]: postback buttons of this turn, in order. */
  numbered: Array<Action & { kind: 'tap' }>;
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function renderTurn(replies: readonly BotMessage[], notes: readonly BotMessage[], color: boolean): Rendered {
  const lines: string[] = [];
  const numbered: Rendered['numbered'] = [];
  const chip = (b: { title: string; type: string; url?: string | null | undefined }, card?: string): string => {
    if (b.type !== 'postback') return `(${b.title} ↗ ${b.url ?? b.type})`;
    numbered.push(card === undefined ? { kind: 'tap', title: b.title } : { kind: 'tap', title: b.title, card });
    return `[${numbered.length}] ${b.title}`;
  };
  if (replies.length === 0) lines.push('  bot   (says nothing)');
  for (const m of replies) {
    switch (m.kind) {
      case 'text':
        lines.push(...m.text.split('\n').map((l, i) => `${i === 0 ? '  bot   ' : '        '}${l}`));
        break;
      case 'buttons':
        lines.push(`  bot   ${m.text}`, `          ${m.buttons.map((b) => chip(b)).join('   ')}`);
        break;
      case 'carousel':
        lines.push(`  bot   ${m.text || '(carousel)'}`);
        for (const card of m.cards) {
          const sub = card.subtitle ? ` — ${card.subtitle}` : '';
          const buttons = buttonsOf(m).filter((b) => b.card === card).map((b) => chip(b.button, card.title));
          lines.push(`          ▪ ${card.title}${sub}${buttons.length ? `   ${buttons.join('   ')}` : ''}`);
        }
        break;
      case 'unknown':
        lines.push(`  bot   ${renderCompact(m)}`);
        break;
      default:
        lines.push(`  bot   ${m.kind} ${m.url}`);
    }
  }
  for (const n of notes) {
    const text = `  note  ${n.kind === 'text' ? n.text : renderCompact(n)} (private)`;
    lines.push(color ? `${DIM}${text}${RESET}` : text);
  }
  return { lines, numbered };
}
