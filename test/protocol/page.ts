// Loads the platform page's example payloads from test/fixtures/protocol (not a test file).
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/protocol/', import.meta.url);

/** The fixture's exact text, as the page shows it. */
export function pageText(name: string): string {
  return readFileSync(new URL(`${name}.json`, dir), 'utf8').trim();
}

/** The fixture parsed. A fresh object on every call, so tests cannot leak mutations. */
export function pageJson(name: string): any {
  return JSON.parse(pageText(name));
}

/** The page's JSON re-serialised compactly: key order as on the page. */
export function pageCompact(name: string): string {
  return JSON.stringify(pageJson(name));
}

/** The placeholders the page uses. */
export const P = {
  userId: '{{UNIQUE BOT USER ID}}',
  userName: '{{BOT USER NAME}}',
  conv: 123,
  text: '{{TEXT MESSAGE}}',
  buttonTitle: '{{BUTTON TITLE}}',
  buttonPayload: '{{BUTTON PAYLOAD}}',
  title: '{{TITLE}}',
  subtitle: '{{SUBTITLE}}',
  imageUrl: '{{IMAGE URL}}',
  audioUrl: '{{AUDIO URL}}',
  videoUrl: '{{VIDEO URL}}',
  fileUrl: '{{FILE URL}}',
} as const;

/** The four media kinds with the URL the page's example of each carries. */
export const PAGE_MEDIA = [
  ['image', P.imageUrl],
  ['audio', P.audioUrl],
  ['video', P.videoUrl],
  ['file', P.fileUrl],
] as const;
