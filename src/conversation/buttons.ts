// Finding the button a tap means, and the errors when there is none, several, or a URL button.
import { buttonsOf, renderCompact, type BotMessage, type Button, type Card } from '../protocol/index.ts';
import { ConversationError } from './errors.ts';

/** The buttons of a message titled `title` (on card `card`, when given); none for a private note. */
export function offers(m: BotMessage, title: string, card: string | undefined): Array<{ button: Button; card?: Card }> {
  if (m.private) return [];
  return buttonsOf(m).filter((b) => b.button.title === title && (card === undefined || b.card?.title === card));
}

/** The one postback button among the matching ones of a message, or a clear error. */
export function onePostback(candidates: Array<{ button: Button; card?: Card }>, title: string): Button {
  if (candidates.length > 1) {
    const cards = candidates.map((c) => JSON.stringify(c.card?.title ?? '?')).join(', ');
    throw new ConversationError(
      'APICHAT_BUTTON_AMBIGUOUS',
      `${candidates.length} buttons are titled ${JSON.stringify(title)} (on cards ${cards}); say which one: When the user taps ${JSON.stringify(title)} on card ${JSON.stringify(candidates[0]!.card?.title ?? '')}`,
    );
  }
  const button = candidates[0]!.button;
  if (button.type !== 'postback') {
    throw new ConversationError(
      'APICHAT_NOT_POSTBACK',
      `${JSON.stringify(title)} is a ${button.type} button${button.url ? ` (it opens ${button.url})` : ''}: tapping it sends nothing to the bot, so there is nothing to test here — check its URL with a data table on the message instead`,
    );
  }
  return button;
}

/** No message offers the button: say which buttons the latest message with buttons does offer. */
export function buttonNotFound(newestFirst: readonly BotMessage[], title: string, card: string | undefined, where: string): ConversationError {
  const m = newestFirst.find((x) => !x.private && buttonsOf(x).length > 0);
  if (!m) {
    return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${JSON.stringify(title)}: the bot has not offered any button in this conversation (${where})`);
  }
  if (card !== undefined && m.kind === 'carousel' && !m.cards.some((c) => c.title === card)) {
    return new ConversationError('APICHAT_CARD_NOT_FOUND', `cannot tap ${JSON.stringify(title)} on card ${JSON.stringify(card)}: the latest carousel has cards ${m.cards.map((c) => JSON.stringify(c.title)).join(', ')}`);
  }
  const offered = buttonsOf(m)
    .map((b) => (b.card ? `${JSON.stringify(b.button.title)} on card ${JSON.stringify(b.card.title)}` : JSON.stringify(b.button.title)))
    .join(', ');
  const on = card === undefined ? '' : ` on card ${JSON.stringify(card)}`;
  return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${JSON.stringify(title)}${on}: no message offers it; the latest message with buttons (${renderCompact(m)}) offers ${offered}`);
}
