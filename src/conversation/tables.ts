// The data tables of the step phrases, read into plain values: the test user's profile (what
// goes out as sender.email / sender.phone_number) and the rows of "the carousel has cards:".
// An unknown key or column is a one-line error listing the allowed ones.
import { ApiChatError } from '../base/errors.ts';
import type { CardRow } from './expectations.ts';

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

export const CARD_COLUMNS = ['title', 'subtitle', 'buttons', 'image', 'url'] as const;

/** One row of `Then the carousel has cards:`; buttons are "A, B"; an empty image/url cell means the card has none. */
export function cardRowFromTable(row: Record<string, string>, fill: (value: string) => string = (v) => v): CardRow {
  const unknown = Object.keys(row).filter((k) => !(CARD_COLUMNS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ApiChatError(
      'APICHAT_CARD_COLUMN',
      `unknown column ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the table of "the carousel has cards:": the columns are ${CARD_COLUMNS.join(', ')} (every one but title is optional)`,
    );
  }
  const r: CardRow = { title: fill(row.title ?? '') };
  if (row.subtitle !== undefined) r.subtitle = fill(row.subtitle);
  if (row.buttons !== undefined) r.buttons = row.buttons.split(',').map((b) => fill(b.trim())).filter((b) => b !== '');
  if (row.image !== undefined) r.image = fill(row.image.trim());
  if (row.url !== undefined) r.url = fill(row.url.trim());
  return r;
}
