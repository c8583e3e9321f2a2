// How user mistakes reach a terminal: one line, the cause and the fix, no stack trace.
import { isApiChatError } from '../base/errors.ts';

export function formatUserError(e: unknown): string {
  if (isApiChatError(e)) return `apichat-bdd: ${e.message}`;
  const err = e as Error;
  return `apichat-bdd: unexpected error: ${err?.stack ?? String(e)}`;
}
