// The normalised reply every layer above works with: one discriminated union, the raw
// payload kept beside it so nothing the platform sent is ever lost.
import { ATTACHMENT_KINDS, type AttachmentKind } from './incoming.ts';
import { truncate } from '../base/text.ts';
import {
  AddressSchema,
  ButtonTemplateReplySchema,
  GenericTemplateReplySchema,
  MediaReplySchema,
  TextReplySchema,
  type Button,
  type Card,
} from './outgoing.ts';

export interface MessageBase {
  /** The bot-user id the tester chose; null when the delivery carried none (kept as an orphan). */
  sender_id: string | null;
  conv_id: number | string | null;
  private: boolean;
  /** Epoch milliseconds with sub-millisecond precision, taken when the delivery was read. */
  arrived_at: number;
  /** The parsed JSON body, untouched (unknown fields included). */
  raw: unknown;
}

export type TextMessage = MessageBase & { kind: 'text'; text: string };
export type ButtonsMessage = MessageBase & { kind: 'buttons'; text: string; buttons: Button[] };
export type CarouselMessage = MessageBase & { kind: 'carousel'; text: string; ratio: string | null; cards: Card[] };
export type MediaMessage = MessageBase & { kind: AttachmentKind; url: string };
export type UnknownMessage = MessageBase & { kind: 'unknown'; reason: string };
export type BotMessage = TextMessage | ButtonsMessage | CarouselMessage | MediaMessage | UnknownMessage;
export type MessageKind = BotMessage['kind'];

export function isMedia(m: BotMessage): m is MediaMessage {
  return (ATTACHMENT_KINDS as readonly string[]).includes(m.kind);
}

/** The text a `replies …` step matches: plain text, a button template's or a carousel's text. */
export function textOf(m: BotMessage): string | null {
  return m.kind === 'text' || m.kind === 'buttons' || m.kind === 'carousel' ? m.text : null;
}

/** Every button a message offers, with the card it sits on (carousels). */
export function buttonsOf(m: BotMessage): Array<{ button: Button; card?: Card }> {
  if (m.kind === 'buttons') return m.buttons.map((button) => ({ button }));
  if (m.kind === 'carousel') return m.cards.flatMap((card) => (card.buttons ?? []).map((button) => ({ button, card })));
  return [];
}

/** Never throws: a well-formed JSON body of a shape we do not know becomes `unknown`. */
export function normalise(raw: unknown, arrivedAt: number = nowMs()): BotMessage {
  return (isObject(raw) && fastNormalise(raw, arrivedAt)) || normaliseWithSchemas(raw, arrivedAt);
}

/**
 * The listener's hot path for the commonest shapes (text, media, button templates whose
 * buttons need no defaults), read field by field
 * without cloning (zod's parse copies every object, which costs the listener about a tenth
 * of its throughput; see BENCHMARKS.md). It accepts only what
 * the zod schemas accept and builds what normaliseWithSchemas builds — test/protocol pins the
 * two together on every fixture and on mutated payloads — and leaves everything else to them.
 */
function fastNormalise(raw: Record<string, unknown>, arrivedAt: number): BotMessage | undefined {
  const { sender_id, conv_id, type } = raw;
  const priv = raw.private;
  if (typeof sender_id !== 'string' && typeof sender_id !== 'number') return undefined;
  if (typeof conv_id !== 'number' && typeof conv_id !== 'string') return undefined;
  if (raw.message_type !== 'outgoing' || (priv !== undefined && typeof priv !== 'boolean')) return undefined;
  const contentType = raw.content_type;
  if (type === 'text' && contentType == null && typeof raw.text === 'string') {
    if (contentType === null) return undefined; // z.null().optional(): rare; let the schema decide
    return { sender_id: String(sender_id), conv_id, private: priv === true, arrived_at: arrivedAt, raw, kind: 'text', text: raw.text };
  }
  if (type === 'text' && contentType === 'button_template' && isNullishString(raw.text)) {
    const attrs = raw.content_attributes;
    if (!isObject(attrs) || !isNullishString(attrs.text) || !Array.isArray(attrs.buttons)) return undefined;
    // Only buttons that need no default (an explicit type) can be taken as they are.
    const plain = attrs.buttons.every(
      (b) => isObject(b) && typeof b.title === 'string' && typeof b.type === 'string' && isNullishString(b.payload) && isNullishString(b.url),
    );
    if (!plain) return undefined;
    const text = (attrs.text ?? raw.text ?? '') as string;
    return { sender_id: String(sender_id), conv_id, private: priv === true, arrived_at: arrivedAt, raw, kind: 'buttons', text, buttons: attrs.buttons as Button[] };
  }
  if (contentType === undefined && typeof raw.url === 'string' && (ATTACHMENT_KINDS as readonly unknown[]).includes(type)) {
    return { sender_id: String(sender_id), conv_id, private: priv === true, arrived_at: arrivedAt, raw, kind: type as AttachmentKind, url: raw.url };
  }
  return undefined;
}

/** The reference normaliser: the zod schemas decide every shape. */
export function normaliseWithSchemas(raw: unknown, arrivedAt: number = nowMs()): BotMessage {
  // Dispatch on the discriminating fields, parse with that one schema, and take the address
  // from its result; the address schema is for unknown shapes.
  if (isObject(raw)) {
    const type = raw.type;
    const contentType = raw.content_type;
    if (type === 'text' && contentType === 'button_template') {
      const b = ButtonTemplateReplySchema.safeParse(raw);
      if (b.success) {
        const d = b.data;
        return { sender_id: String(d.sender_id), conv_id: d.conv_id, private: d.private, arrived_at: arrivedAt, raw, kind: 'buttons', text: d.content_attributes.text ?? d.text ?? '', buttons: d.content_attributes.buttons };
      }
    } else if (type === 'text' && contentType === 'generic_template') {
      const g = GenericTemplateReplySchema.safeParse(raw);
      if (g.success) {
        const d = g.data;
        return { sender_id: String(d.sender_id), conv_id: d.conv_id, private: d.private, arrived_at: arrivedAt, raw, kind: 'carousel', text: d.text ?? '', ratio: d.content_attributes.ratio ?? null, cards: d.content_attributes.items };
      }
    } else if (type === 'text') {
      const t = TextReplySchema.safeParse(raw);
      if (t.success) {
        const d = t.data;
        return { sender_id: String(d.sender_id), conv_id: d.conv_id, private: d.private, arrived_at: arrivedAt, raw, kind: 'text', text: d.text };
      }
    } else if ((ATTACHMENT_KINDS as readonly unknown[]).includes(type)) {
      const m = MediaReplySchema.safeParse(raw);
      if (m.success) {
        const d = m.data;
        return { sender_id: String(d.sender_id), conv_id: d.conv_id, private: d.private, arrived_at: arrivedAt, raw, kind: d.type, url: d.url };
      }
    }
  }
  const address = AddressSchema.safeParse(raw);
  return {
    sender_id: address.success ? String(address.data.sender_id) : null,
    conv_id: address.success ? ((address.data.conv_id as number | string | undefined) ?? null) : null,
    private: isObject(raw) && raw.private === true,
    arrived_at: arrivedAt,
    raw,
    kind: 'unknown',
    reason: unknownReason(raw),
  };
}

function unknownReason(raw: unknown): string {
  if (!isObject(raw)) return `body is ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}, not an object`;
  if (raw.sender_id === undefined) return 'no sender_id';
  if (raw.message_type !== 'outgoing') return `message_type is ${JSON.stringify(raw.message_type)}, not "outgoing"`;
  const ct = raw.content_type === undefined || raw.content_type === null ? '' : ` content_type ${JSON.stringify(raw.content_type)}`;
  if (raw.type === 'text' && ct === '' && typeof raw.text !== 'string') return 'type "text" without a string text';
  if ((ATTACHMENT_KINDS as readonly unknown[]).includes(raw.type) && typeof raw.url !== 'string') return `type ${JSON.stringify(raw.type)} without a string url`;
  return `unrecognised shape: type ${JSON.stringify(raw.type)}${ct}`;
}

function isNullishString(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** One compact line for failure messages and logs: kind, text, buttons, cards, url. */
export function renderCompact(m: BotMessage): string {
  const note = m.private ? ' (private note)' : '';
  switch (m.kind) {
    case 'text':
      return `text ${JSON.stringify(m.text)}${note}`;
    case 'buttons':
      return `buttons ${JSON.stringify(m.text)} [${m.buttons.map((b) => JSON.stringify(b.title)).join(', ')}]${note}`;
    case 'carousel':
      return `carousel ${JSON.stringify(m.text)} ${m.cards.length} card(s): ${m.cards
        .map((c) => `${JSON.stringify(c.title)}${c.buttons?.length ? ` [${c.buttons.map((b) => JSON.stringify(b.title)).join(', ')}]` : ''}`)
        .join('; ')}${note}`;
    case 'unknown':
      return `unknown (${m.reason}) ${truncate(JSON.stringify(m.raw), 160)}${note}`;
    default:
      return `${m.kind} ${m.url}${note}`;
  }
}
