// A resolved reply as the exact JSON the platform POSTs to the webhook, built with the
// protocol's builders so the simulator and the listener cannot disagree on the shape.
import { buildButtonReply, buildCarouselReply, buildMediaReply, buildTextReply, type ReplyAddress } from '../protocol/index.ts';
import type { ResolvedReply } from './engine.ts';

export function renderReply(reply: ResolvedReply, to: { sender_id: string; conv_id: number }): Record<string, unknown> {
  const address: ReplyAddress = { sender_id: to.sender_id, conv_id: to.conv_id, private: reply.private };
  switch (reply.kind) {
    case 'text':
      return buildTextReply(address, reply.text);
    case 'buttons':
      return buildButtonReply(address, reply.text, reply.buttons);
    case 'carousel':
      return buildCarouselReply(address, reply.text, reply.cards, reply.ratio);
    case 'raw':
      // An unknown shape the platform may add: the address and the usual envelope, then the
      // author's fields (which win, so a test can also fake a broken envelope).
      return { sender_id: to.sender_id, conv_id: to.conv_id, message_type: 'outgoing', private: reply.private, ...reply.body };
    default:
      return buildMediaReply(address, reply.kind, reply.url);
  }
}
