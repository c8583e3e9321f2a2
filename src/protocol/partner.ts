// Partner API bodies: the workspace's one API Chat webhook.
import { z } from 'zod';

export const WebhookInfoSchema = z.looseObject({
  webhook_url: z.string().nullish(),
  webhook_verification_key: z.string().nullish(),
  webhook_status: z.string().nullish(),
  bot_url: z.string().nullish(),
});
export type WebhookInfo = z.infer<typeof WebhookInfoSchema>;

export const PartnerResponseSchema = z.looseObject({
  status: z.string(),
  data: WebhookInfoSchema.nullish(),
});
export type PartnerResponse = z.infer<typeof PartnerResponseSchema>;

export const SetWebhookRequestSchema = z.looseObject({
  webhook_url: z.url(),
  webhook_verification_key: z.string().min(1),
});

export const partnerPaths = {
  get: (ws: string) => `/partner/workspace/${encodeURIComponent(ws)}/apichat-webhook`,
  set: (ws: string) => `/partner/workspace/${encodeURIComponent(ws)}/set-apichat-webhook`,
  /** The older revision of the page registered with POST on the get path. */
  setLegacy: (ws: string) => `/partner/workspace/${encodeURIComponent(ws)}/apichat-webhook`,
  remove: (ws: string) => `/partner/workspace/${encodeURIComponent(ws)}/remove-apichat-webhook`,
};
