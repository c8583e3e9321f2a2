// Building observed turns by hand: normalised bot messages from wire payloads, as the
// listener would file them. Not a test file.
import { buildButtonReply, buildCarouselReply, buildMediaReply, buildTextReply, normalise, type BotMessage } from '../../src/protocol/index.ts';
import type { Action, ObservedTurn } from '../../src/author/index.ts';

const to = { sender_id: 'u1', conv_id: 1, private: false };

export const text = (t: string, priv = false): BotMessage => normalise(buildTextReply({ ...to, private: priv }, t));
export const buttons = (t: string, titles: string[], links: string[] = []): BotMessage =>
  normalise(buildButtonReply(to, t, [...titles.map((title) => ({ title, type: 'postback', payload: title.toUpperCase() })), ...links.map((title) => ({ title, type: 'web_url', url: `https://example.com/${title}` }))]));
export const carousel = (t: string, cards: Array<{ title: string; subtitle?: string; buttons?: string[] }>): BotMessage =>
  normalise(
    buildCarouselReply(
      to,
      t,
      cards.map((c) => ({ title: c.title, ...(c.subtitle !== undefined ? { subtitle: c.subtitle } : {}), buttons: (c.buttons ?? []).map((b) => ({ title: b, type: 'postback', payload: `${b}_${c.title}`.toUpperCase() })) })),
    ),
  );
export const image = (url: string): BotMessage => normalise(buildMediaReply(to, 'image', url));
export const unknown = (body: Record<string, unknown>): BotMessage => normalise({ sender_id: 'u1', conv_id: 1, message_type: 'outgoing', ...body });

export const say = (t: string): Action => ({ kind: 'say', text: t });
export const tap = (title: string, card?: string): Action => (card === undefined ? { kind: 'tap', title } : { kind: 'tap', title, card });

export function turn(action: Action, replies: BotMessage[], notes: BotMessage[] = []): ObservedTurn {
  return { action, replies, notes };
}
