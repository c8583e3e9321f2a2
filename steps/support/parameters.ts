// Parameter types shared by the step phrases: who acts, media kinds, quoted lists, /regex/.
// A literal name and a literal /regexp/ let the editor's Cucumber language server read them from
// the compiled file; media and strings are built, and init lists them in .vscode/settings.json.
import { defineParameterType } from '@cucumber/cucumber';
import type { AttachmentKind } from '../../src/protocol/index.ts';
import { parseRegex } from '../../src/conversation/index.ts';
import { MEDIA_PATTERN, QUOTED_PATTERN, STRINGS_PATTERN } from '../../src/conversation/parameter-types.ts';

defineParameterType({ name: 'user', regexp: /the user|user|I/, transformer: () => 'user', useForSnippets: false });
defineParameterType({ name: 'bot', regexp: /the bot|bot/, transformer: () => 'bot', useForSnippets: false });

defineParameterType({
  name: 'media',
  regexp: new RegExp(MEDIA_PATTERN),
  transformer: (s: string): AttachmentKind => s.replace(/^an? /, '') as AttachmentKind,
  useForSnippets: false,
});

const unquote = (s: string): string => s.slice(1, -1).replace(/\\(["'\\])/g, '$1');

/** "A", "B" and "C" — one or more quoted strings separated by commas and/or "and". */
defineParameterType({
  name: 'strings',
  regexp: new RegExp(STRINGS_PATTERN),
  transformer: (s: string): string[] => [...s.matchAll(new RegExp(QUOTED_PATTERN, 'g'))].map((m) => unquote(m[0])),
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
