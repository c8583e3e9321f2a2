// Reading what the platform answered: a JSON body when it is one, and the platform's own
// one-line explanation of an error (redacted, truncated) for messages.
import { redact } from '../base/errors.ts';
import { oneLine } from '../base/text.ts';

/** Parse JSON when the body looks like JSON (by content type or first character); else the text. */
export function parseBody(text: string, contentType: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return text;
  if (/\bjson\b/i.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Whatever the platform said about an error, on one line, at most `max` characters, secrets masked. */
export function platformMessage(
  text: string,
  contentType: string,
  secrets: ReadonlyArray<string | undefined>,
  max = 200,
): string {
  const body = parseBody(text, contentType);
  let said: string | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    for (const field of ['message', 'error', 'error_description', 'detail']) {
      const v = o[field];
      if (typeof v === 'string' && v.trim()) {
        said = v;
        break;
      }
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
        said = (v as { message: string }).message;
        break;
      }
    }
    said ??= JSON.stringify(body);
  } else {
    said = typeof body === 'string' ? body : JSON.stringify(body);
  }
  // Redact before collapsing and truncating, so a secret cut in half can never leak its first part.
  const flat = oneLine(redact(said, secrets), max);
  return flat === '' ? '(empty body)' : flat;
}
