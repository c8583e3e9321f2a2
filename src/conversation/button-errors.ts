// The errors of a tap that cannot be made: no such button (listing the buttons that exist),
// no such card, several buttons of that title, a button that sends nothing to the bot.
import { buttonsOf, renderCompact, type BotMessage, type Button, type Card } from '../protocol/index.ts';
import { ConversationError } from './errors.ts';

const q = (s: string): string => JSON.stringify(s);

/** The one postback button a tap sends, from the offers of the message found for it. */
export function pickButton(title: string, candidates: Array<{ button: Button; card?: Card }>): Button {
  if (candidates.length > 1) {
    const cards = candidates.map((c) => q(c.card?.title ?? '?')).join(', ');
    throw new ConversationError(
      'APICHAT_BUTTON_AMBIGUOUS',
      `${candidates.length} buttons are titled ${q(title)} (on cards ${cards}); say which one: When the user taps ${q(title)} on card ${q(candidates[0]!.card?.title ?? '')}`,
    );
  }
  const button = candidates[0]!.button;
  if (button.type !== 'postback') {
    throw new ConversationError(
      'APICHAT_NOT_POSTBACK',
      `${q(title)} is a ${button.type} button${button.url ? ` (it opens ${button.url})` : ''}: tapping it sends nothing to the bot, so there is nothing to test here — check its URL with a data table on the message instead`,
    );
  }
  return button;
}

/** Why no message offers the button: lists what the latest message with buttons does offer. */
export function buttonNotFound(title: string, card: string | undefined, newestFirst: readonly BotMessage[], where: string): ConversationError {
  const m = newestFirst.find((x) => !x.private && buttonsOf(x).length > 0);
  if (!m) {
    return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${q(title)}: the bot has not offered any button in this conversation (${where})`);
  }
  if (card !== undefined && m.kind === 'carousel' && !m.cards.some((c) => c.title === card)) {
    return new ConversationError('APICHAT_CARD_NOT_FOUND', `cannot tap ${q(title)} on card ${q(card)}: the latest carousel has cards ${m.cards.map((c) => q(c.title)).join(', ')}`);
  }
  const offered = buttonsOf(m)
    .map((b) => (b.card ? `${q(b.button.title)} on card ${q(b.card.title)}` : q(b.button.title)))
    .join(', ');
  const onCard = card === undefined ? '' : ` on card ${q(card)}`;
  return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${q(title)}${onCard}: no message offers it; the latest message with buttons (${renderCompact(m)}) offers ${offered}`);
}
