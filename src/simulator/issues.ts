// Zod issues rendered as one short line: "<path>: <what is wrong>". Used for the bot URL's 422
// answers (as the platform words them: "sender.id: expected string") and for bot-file errors.
import type { z } from 'zod';

export type IssuePath = ReadonlyArray<PropertyKey>;

/** ['rules', 3, 'replies', 0] -> "rules[3].replies[0]"; the empty path -> "(top level)". */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(top level)' : out;
}

function stripPrefix(message: string): string {
  return message.replace(/^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid):\s*/, '');
}

/** What is wrong, without the path. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const m = stripPrefix(issue.message);
      return /received undefined$/.test(m) ? `missing (expected ${issue.expected})` : m;
    }
    case 'unrecognized_keys':
      return issue.keys.length === 1
        ? `unknown field ${JSON.stringify(issue.keys[0])}`
        : `unknown fields ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_union': {
      const opts = (issue as { options?: unknown[] }).options;
      if (Array.isArray(opts) && opts.length > 0) {
        return `expected ${opts.map((o) => JSON.stringify(o)).join(' or ')}`;
      }
      return stripPrefix(issue.message);
    }
    case 'invalid_format':
      return issue.format === 'url' ? 'expected a URL' : stripPrefix(issue.message);
    case 'too_small':
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return stripPrefix(issue.message);
    default:
      return stripPrefix(issue.message);
  }
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${describeIssue(issue)}`;
}

/** The first issue of a failed parse, as one line (the bot URL's 422, a bot definition's error). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : formatIssue(issue);
}
