// What the platform POSTs to our webhook (message_type "outgoing"): seven reply kinds.
// Loose objects everywhere: the platform adds fields over time and they must survive.
import { z } from 'zod';
import { ATTACHMENT_KINDS, type AttachmentKind } from './incoming.ts';

export const ButtonSchema = z.looseObject({
  type: z.string().default('postback'),
  title: z.string(),
  payload: z.string().nullish(),
  url: z.string().nullish(),
});
export type Button = z.infer<typeof ButtonSchema>;

export const CardSchema = z.looseObject({
  title: z.string(),
  subtitle: z.string().nullish(),
  image_url: z.string().nullish(),
  item_url: z.string().nullish(),
  default_action: z.unknown().optional(),
  buttons: z.array(ButtonSchema).nullish(),
});
export type Card = z.infer<typeof CardSchema>;

const common = {
  // The page shows a string; accept a number too (normalise turns it into a string).
  sender_id: z.union([z.string(), z.number()]),
  conv_id: z.union([z.number(), z.string()]),
  message_type: z.literal('outgoing'),
  private: z.boolean().default(false),
};

export const TextReplySchema = z.looseObject({
  ...common,
  type: z.literal('text'),
  text: z.string(),
  content_type: z.null().optional(),
});
/** The two templates differ only in content_type and what content_attributes holds. */
function templateSchema<C extends string, A extends z.ZodType>(contentType: C, attributes: A) {
  return z.looseObject({ ...common, type: z.literal('text'), text: z.string().nullish(), content_type: z.literal(contentType), content_attributes: attributes });
}
export const ButtonTemplateReplySchema = templateSchema('button_template', z.looseObject({ text: z.string().nullish(), buttons: z.array(ButtonSchema) }));
export const GenericTemplateReplySchema = templateSchema('generic_template', z.looseObject({ ratio: z.string().nullish(), items: z.array(CardSchema) }));
export const MediaReplySchema = z.looseObject({
  ...common,
  type: z.enum(ATTACHMENT_KINDS),
  url: z.string(),
});
export type TextReply = z.infer<typeof TextReplySchema>;
export type ButtonTemplateReply = z.infer<typeof ButtonTemplateReplySchema>;
export type GenericTemplateReply = z.infer<typeof GenericTemplateReplySchema>;
export type MediaReply = z.infer<typeof MediaReplySchema>;

/** Just enough to file a delivery we cannot otherwise read under its conversation. */
export const AddressSchema = z.looseObject({
  sender_id: z.union([z.string(), z.number()]),
  conv_id: z.unknown().optional(),
});

// ---- builders (the simulator's side, and test fixtures) ----

export interface ReplyAddress {
  sender_id: string;
  conv_id: number;
  private?: boolean;
}

function head(to: ReplyAddress) {
  return { sender_id: to.sender_id, conv_id: to.conv_id };
}
function tail(to: ReplyAddress) {
  return { message_type: 'outgoing' as const, private: to.private ?? false };
}

export function buildTextReply(to: ReplyAddress, text: string) {
  return { ...head(to), text, type: 'text' as const, ...tail(to) };
}

export interface ButtonInput {
  title: string;
  payload?: string;
  type?: string;
  url?: string;
}

function button(b: ButtonInput) {
  const type = b.type ?? 'postback';
  return type === 'postback'
    ? { type, title: b.title, payload: b.payload ?? b.title }
    : { type, title: b.title, ...(b.url !== undefined ? { url: b.url } : {}), ...(b.payload !== undefined ? { payload: b.payload } : {}) };
}

/** A template reply, keys in the platform's order (the signature covers the exact bytes). */
function templateReply<C extends string, A>(to: ReplyAddress, text: string, contentType: C, attributes: A) {
  return { ...head(to), text, type: 'text' as const, ...tail(to), content_type: contentType, content_attributes: attributes };
}

export function buildButtonReply(to: ReplyAddress, text: string, buttons: ButtonInput[]) {
  return templateReply(to, text, 'button_template' as const, { text, buttons: buttons.map(button) });
}

export interface CardInput {
  title: string;
  subtitle?: string;
  image_url?: string;
  item_url?: string | null;
  buttons?: ButtonInput[];
}

export function buildCarouselReply(to: ReplyAddress, text: string, cards: CardInput[], ratio = 'horizontal') {
  return templateReply(to, text, 'generic_template' as const, {
    ratio,
    items: cards.map((c) => ({
      title: c.title,
      image_url: c.image_url ?? '',
      item_url: c.item_url ?? null,
      subtitle: c.subtitle ?? '',
      default_action: null,
      buttons: (c.buttons ?? []).map(button),
    })),
  });
}

export function buildMediaReply(to: ReplyAddress, kind: AttachmentKind, url: string) {
  return { ...head(to), url, type: kind, ...tail(to) };
}
