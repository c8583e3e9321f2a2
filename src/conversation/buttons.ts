// Finding the button a tap means, and the errors when there is none, several, or only a link:
// pure functions over the messages of a conversation (Conversation.tap waits, these decide).
import { buttonsOf, renderCompact, type BotMessage, type Button, type Card } from '../protocol/index.ts';
import { ConversationError } from './errors.ts';

const q = (s: string): string => JSON.stringify(s);

/** The buttons titled `title` (on card `card`, when given) that a message offers; notes offer none. */
export function offers(m: BotMessage, title: string, card: string | undefined): Array<{ button: Button; card?: Card }> {
  if (m.private) return [];
  return buttonsOf(m).filter((b) => b.button.title === title && (card === undefined || b.card?.title === card));
}

/** The one postback button of a message that offers `title`; otherwise a one-line error saying what to write. */
export function pickButton(m: BotMessage, title: string, card: string | undefined): Button {
  const candidates = offers(m, title, card);
  if (candidates.length > 1) {
    const cards = candidates.map((c) => q(c.card?.title ?? '?')).join(', ');
    throw new ConversationError(
      'APICHAT_BUTTON_AMBIGUOUS',
      `${candidates.length} buttons are titled ${q(title)} (on cards ${cards}); say which one: When the user taps ${q(title)} on card ${q(candidates[0]?.card?.title ?? '')}`,
    );
  }
  const first = candidates[0];
  // The caller looked the message up by this title; kept as an error rather than a crash.
  if (first === undefined) throw new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${q(title)}: this message does not offer it`);
  const button = first.button;
  if (button.type !== 'postback') {
    const check = button.url ? `Then the bot shows a link button ${q(title)} to ${q(button.url)}` : `Then the bot shows a link button ${q(title)} to "<its URL>"`;
    throw new ConversationError(
      'APICHAT_NOT_POSTBACK',
      `${q(title)} is a ${button.type} button${button.url ? ` (it opens ${button.url})` : ''}: tapping it sends nothing to the bot, so there is nothing to test here — check its URL instead: ${check}`,
    );
  }
  return button;
}

/** No message offers `title`: the error lists what the latest message with buttons does offer. */
export function buttonNotFound(messages: readonly BotMessage[], title: string, card: string | undefined, where: string): ConversationError {
  const m = [...messages].reverse().find((x) => !x.private && buttonsOf(x).length > 0);
  if (!m) {
    return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${q(title)}: the bot has not offered any button in this conversation (${where})`);
  }
  if (card !== undefined && m.kind === 'carousel' && !m.cards.some((c) => c.title === card)) {
    return new ConversationError('APICHAT_CARD_NOT_FOUND', `cannot tap ${q(title)} on card ${q(card)}: the latest carousel has cards ${m.cards.map((c) => q(c.title)).join(', ')}`);
  }
  const offered = buttonsOf(m)
    .map((b) => (b.card ? `${q(b.button.title)} on card ${q(b.card.title)}` : q(b.button.title)))
    .join(', ');
  const on = card === undefined ? '' : ` on card ${q(card)}`;
  return new ConversationError('APICHAT_BUTTON_NOT_FOUND', `cannot tap ${q(title)}${on}: no message offers it; the latest message with buttons (${renderCompact(m)}) offers ${offered}`);
}
