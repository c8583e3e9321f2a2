// What the tester POSTs to the bot URL (message_type "incoming"), exactly as the platform's API Chat documentation shows it.
// Schemas are loose: fields the platform adds later pass through untouched.
import { z } from 'zod';

export const ATTACHMENT_KINDS = ['image', 'audio', 'video', 'file'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const SenderSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  email: z.string(),
  phone_number: z.string(),
  type: z.literal('contact'),
});
export type Sender = z.infer<typeof SenderSchema>;

export const SubmittedValueSchema = z.looseObject({ title: z.string(), payload: z.string() });
export const AttachmentSchema = z.looseObject({
  file_type: z.enum(ATTACHMENT_KINDS),
  data_url: z.string().min(1),
});

const common = {
  content: z.string(),
  message_type: z.literal('incoming'),
  sender: SenderSchema,
  conversation_id: z.number().int(),
};

export const PostbackIncomingSchema = z.looseObject({
  ...common,
  event: z.literal('message_postback'),
  submitted_values: z.array(SubmittedValueSchema).min(1),
});
/** Text, or an attachment when `attachments` is present. */
export const CreatedIncomingSchema = z.looseObject({
  ...common,
  event: z.literal('message_created'),
  attachments: z.array(AttachmentSchema).min(1).optional(),
});
export const IncomingSchema = z.discriminatedUnion('event', [CreatedIncomingSchema, PostbackIncomingSchema]);
export type Incoming = z.infer<typeof IncomingSchema>;
export type PostbackIncoming = z.infer<typeof PostbackIncomingSchema>;

/** What the user did, in one word: the simulator routes on it, the transcript shows it. */
export type UserAction =
  | { kind: 'text'; text: string }
  | { kind: 'postback'; title: string; payload: string }
  | { kind: AttachmentKind; url: string };

export function describeIncoming(msg: Incoming): UserAction {
  if (msg.event === 'message_created') {
    const a = msg.attachments?.[0];
    if (a) return { kind: a.file_type, url: a.data_url };
    return { kind: 'text', text: msg.content };
  }
  const v = msg.submitted_values.at(0); // the schema requires at least one
  return { kind: 'postback', title: v?.title ?? '', payload: v?.payload ?? '' };
}

export interface SenderInput {
  id: string;
  name: string;
  email?: string;
  phone_number?: string;
}

function head(sender: SenderInput, conversationId: number, content: string) {
  // Key order follows the platform page, so golden tests can compare serialised bytes.
  return {
    content,
    message_type: 'incoming' as const,
    sender: {
      id: sender.id,
      name: sender.name,
      email: sender.email ?? '',
      phone_number: sender.phone_number ?? '',
      type: 'contact' as const,
    },
    conversation_id: conversationId,
  };
}

export function buildText(sender: SenderInput, conversationId: number, text: string) {
  return { ...head(sender, conversationId, text), event: 'message_created' as const };
}

export function buildPostback(sender: SenderInput, conversationId: number, button: { title: string; payload: string }) {
  return {
    ...head(sender, conversationId, button.title),
    event: 'message_postback' as const,
    submitted_values: [{ title: button.title, payload: button.payload }],
  };
}

export function buildAttachment(sender: SenderInput, conversationId: number, kind: AttachmentKind, url: string) {
  return {
    ...head(sender, conversationId, ''),
    event: 'message_created' as const,
    attachments: [{ file_type: kind, data_url: url }],
  };
}

export function buildIncoming(sender: SenderInput, conversationId: number, action: UserAction): Incoming {
  switch (action.kind) {
    case 'text':
      return buildText(sender, conversationId, action.text);
    case 'postback':
      return buildPostback(sender, conversationId, action);
    default:
      return buildAttachment(sender, conversationId, action.kind, action.url);
  }
}
