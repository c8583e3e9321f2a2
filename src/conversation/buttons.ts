// The failures of a tap, worded for the tester: which buttons exist, which card to name, and
// why a URL button cannot be tapped.
import { buttonsOf, renderCompact, type BotMessage, type Button, type Card } from '../protocol/index.ts';
import { ConversationError } from './errors.ts';

/** The one postback button among the candidates offering the title, or the error explaining why not. */
export function chooseButton(candidates: ReadonlyArray<{ button: Button; card?: Card }>, title: string): Button {
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

/** No message offers the button: name the buttons the latest message with buttons does offer. */
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
  const at = card === undefined ? '' : ` on card ${JSON.stringify(card)}`;
  return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${JSON.stringify(title)}${at}: no message offers it; the latest message with buttons (${renderCompact(m)}) offers ${offered}`);
}
