// Parameter types shared by the step phrases: who acts, media kinds, quoted lists, /regex/.
import { defineParameterType } from '@cucumber/cucumber';
import { ATTACHMENT_KINDS, type AttachmentKind } from '../../src/protocol/index.ts';
import { parseRegex } from '../../src/conversation/index.ts';

defineParameterType({ name: 'user', regexp: /the user|user|I/, transformer: () => 'user', useForSnippets: false });
defineParameterType({ name: 'bot', regexp: /the bot|bot/, transformer: () => 'bot', useForSnippets: false });

defineParameterType({
  name: 'media',
  // "an image", "a video", … or the bare kind; longest alternatives first.
  regexp: new RegExp([...ATTACHMENT_KINDS.map((k) => `${/^[aeiou]/.test(k) ? 'an' : 'a'} ${k}`), ...ATTACHMENT_KINDS].join('|')),
  transformer: (s: string): AttachmentKind => s.replace(/^an? /, '') as AttachmentKind,
  useForSnippets: false,
});

const QUOTED = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;
const unquote = (s: string): string => s.slice(1, -1).replace(/\\(["'\\])/g, '$1');

/** "A", "B" and "C" — one or more quoted strings separated by commas and/or "and". */
defineParameterType({
  name: 'strings',
  regexp: new RegExp(`(?:${QUOTED})(?:\\s*(?:,|and|, and)\\s*(?:${QUOTED}))*`),
  transformer: (s: string): string[] => [...s.matchAll(new RegExp(QUOTED, 'g'))].map((m) => unquote(m[0])),
  useForSnippets: false,
});

/** /pattern/flags, taken whole (the pattern may contain slashes). */
defineParameterType({
  name: 'regex',
  regexp: /\/.*\/[dgimsuvy]*/,
  transformer: (s: string): RegExp => parseRegex(s),
  useForSnippets: false,
});

/** A language named in English: "Spanish", "Norwegian Bokmål" (checked against the detector when the step runs). */
defineParameterType({
  name: 'language',
  regexp: /[A-Za-z][A-Za-z\u00C0-\u024F]*(?: [A-Za-z\u00C0-\u024F]+)*/,
  transformer: (s: string): string => s,
  useForSnippets: false,
});
