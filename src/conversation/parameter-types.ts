// The patterns of the parameter types built at load time (steps/support/parameters.ts): here, so
// that `apichat-bdd init` can hand the same patterns to the editor. The Cucumber language server
// reads a defineParameterType only with a literal name and a literal /regexp/; these two are
// built with new RegExp(…), so .vscode/settings.json lists them under cucumber.parameterTypes.
import { ATTACHMENT_KINDS } from '../protocol/index.ts';

/** "an image", "a video", … or the bare kind; longest alternatives first. */
export const MEDIA_PATTERN = [...ATTACHMENT_KINDS.map((k) => `${/^[aeiou]/.test(k) ? 'an' : 'a'} ${k}`), ...ATTACHMENT_KINDS].join('|');

export const QUOTED_PATTERN = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;

/** "A", "B" and "C" — one or more quoted strings separated by commas and/or "and". */
export const STRINGS_PATTERN = `(?:${QUOTED_PATTERN})(?:\\s*(?:,|and|, and)\\s*(?:${QUOTED_PATTERN}))*`;

/** The parameter types the language server cannot read from the compiled step files. */
export const EDITOR_PARAMETER_TYPES: ReadonlyArray<{ name: string; regexp: string }> = [
  { name: 'media', regexp: MEDIA_PATTERN },
  { name: 'strings', regexp: STRINGS_PATTERN },
];
