// The test user's profile: what goes out as sender.email / sender.phone_number on every message.
import { ApiChatError } from '../errors.ts';

export interface Profile {
  email?: string;
  phone?: string;
}

export const PROFILE_KEYS = ['email', 'phone'] as const;

/**
 * The two-column table of `Given a new conversation as "Ann" with:`; an unknown key is a
 * one-line error. `fill` fills each value's {{placeholders}}.
 */
export function profileFromTable(rows: Record<string, string>, fill: (value: string) => string = (v) => v): Profile {
  const profile: Profile = {};
  for (const [rawKey, value] of Object.entries(rows)) {
    const key = rawKey.trim().toLowerCase();
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new ApiChatError(
        'APICHAT_PROFILE_KEY',
        `unknown profile field ${JSON.stringify(rawKey)} in the table of "a new conversation as … with:": the allowed fields are ${PROFILE_KEYS.join(' and ')} (one per row: | email | ann@example.com |)`,
      );
    }
    profile[key as keyof Profile] = fill(value.trim());
  }
  return profile;
}
