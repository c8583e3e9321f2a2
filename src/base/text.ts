// Short text for one-line messages (the one truncation every message uses, whitespace folding),
// and the one {{placeholder}} syntax of step strings and bot files.

/**
 * {{name}}: a name as a regex named group may spell it (letters, digits, _ and $), dots allowed
 * for the built-ins such as {{user.name}}; spaces inside the braces are ignored. A name may be
 * followed by arguments ({{random 10000-99999}} in bot files); the capture holds both, so a
 * step string's {{random 1-6}} is an unknown variable, not silently left as text.
 */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$.]*(?:\s+[^\s}][^}]*?)?)\s*\}\}/g;

/** `s` cut to at most `max` characters, the cut marked with "…". */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** Runs of whitespace (newlines too) folded to one space, trimmed, then truncated. */
export function oneLine(text: string, max = 200): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

/**
 * A text with the parts the crawl/record generaliser treats as volatile written the same for
 * every value: numbers (src/author/text-diff.ts makes every digit run `\d+`, never literal:
 * counters, times, codes). Two texts with equal volatile forms differ only in values, not in
 * what the bot says (`apichat-bdd diff`).
 */
export function volatileForm(text: string): string {
  return text.replace(/\d+/g, '#');
}
