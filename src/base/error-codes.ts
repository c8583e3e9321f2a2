// The one list of error codes a user can see. Every ApiChatError takes its code from here, the
// command line picks its exit code from the code's category, and the "Error codes"
// table of docs/reference.md is checked against this list by test/error-codes.test.ts (so the two cannot drift).
// Adding a code is one line: [code]: [category, what it means, how to fix it].

/**
 * usage / config: the user's input is wrong (exit code 2);
 * platform: the bot, the partner API, the network or the machine failed (exit code 1);
 * scenario: a step of a conversation failed (the scenario fails).
 */
export type ErrorCategory = 'usage' | 'config' | 'platform' | 'scenario';

type Entry = readonly [category: ErrorCategory, meaning: string, fix: string];

export const ERROR_CODES = {
  APICHAT_USAGE: ['usage', 'unknown command, option or argument', 'run `apichat-bdd --help`'],
  APICHAT_CONFIG: ['config', 'a variable is missing or malformed (the message names it)', 'set the variable as the message says'],
  APICHAT_BOT_FILE: ['config', 'a simulator bot file cannot be read or is invalid (the message names file:line)', 'fix the bot file at the place named'],
  APICHAT_BOT_URL_INVALID: ['config', 'APICHAT_BOT_URL is not a usable bot URL', 'copy the bot URL of the API Chat channel'],
  APICHAT_PARTNER_URL_INVALID: ['config', 'APICHAT_PARTNER_BASE_URL is not a usable API base', 'set it to the partner API base, e.g. https://www.uchat.com.au/api'],
  APICHAT_SIMULATOR_OPTIONS: ['config', 'the embedded simulator got an impossible option (a delay range, an encoding)', 'fix the option named in the message'],
  APICHAT_LISTEN: ['platform', 'the listener (or the simulator) cannot bind its port or host', 'stop the other listener, or change APICHAT_LISTEN_PORT / APICHAT_LISTEN_HOST'],
  APICHAT_BOT_AUTH: ['platform', 'the bot URL refused the flow key (401/403)', 'check APICHAT_FLOW_API_KEY (manage flow permission)'],
  APICHAT_BOT_NOT_FOUND: ['platform', 'the bot URL answered 404', 'check APICHAT_BOT_URL (the channel may have been deleted)'],
  APICHAT_BOT_REJECTED: ['platform', 'the bot URL rejected the message (4xx, or an error body)', 'read the platform\'s reason in the message'],
  APICHAT_BOT_RATE_LIMITED: ['platform', 'the bot URL answered 429 and the wait Retry-After asks for does not fit in the reply timeout', 'run fewer scenarios at once (--parallel), or raise APICHAT_REPLY_TIMEOUT_MS'],
  APICHAT_BOT_UNAVAILABLE: ['platform', 'the bot URL cannot be reached or answered 5xx/429', 'check the network and APICHAT_BOT_URL; retry later'],
  APICHAT_PARTNER_AUTH: ['platform', 'the partner API refused the key (401/403)', 'check APICHAT_PARTNER_API_KEY'],
  APICHAT_PARTNER_NOT_FOUND: ['platform', 'the partner API answered 404 for the workspace', 'check APICHAT_WORKSPACE_ID and APICHAT_PARTNER_BASE_URL'],
  APICHAT_PARTNER_REJECTED: ['platform', 'the partner API rejected the call (e.g. the webhook handshake failed)', 'run `apichat-bdd listen` behind APICHAT_PUBLIC_URL, then retry'],
  APICHAT_PARTNER_UNAVAILABLE: ['platform', 'the partner API cannot be reached or answered 5xx/429', 'check the network and APICHAT_PARTNER_BASE_URL; retry later'],
  APICHAT_PARTNER_BAD_RESPONSE: ['platform', 'the partner API answered something that is not its documented JSON', 'check APICHAT_PARTNER_BASE_URL points at the partner API'],
  APICHAT_INBOX_UNREACHABLE: ['platform', 'a parallel worker cannot reach the run\'s listener', 'list the apichat-bdd plugin in cucumber.js'],
  APICHAT_INBOX_REFUSED: ['platform', 'the run\'s worker channel refused a worker (wrong token or Host)', 'do not share APICHAT_RUN between runs; start workers only through cucumber-js --parallel'],
  APICHAT_WEBHOOK_RECORD: ['platform', 'the record of the previous webhook (.apichat-bdd/) cannot be read, or the webhook changed since it was written', 'do what the message says: delete the stale record, or register the webhook you want with `apichat-bdd webhook set`'],
  APICHAT_WEBHOOK_RESTORE: ['platform', 'putting the previous webhook back failed; the record is kept', 'run `apichat-bdd webhook restore` once the cause named in the message is fixed'],
  APICHAT_REDIS_UNREACHABLE: ['config', 'Redis cannot be reached at APICHAT_REDIS_URL (refused, wrong password, untrusted TLS certificate)', 'start Redis, or fix host, port or password in APICHAT_REDIS_URL (rediss:// for TLS; NODE_EXTRA_CA_CERTS for a private CA)'],
  APICHAT_REDIS_LOST: ['platform', 'Redis went away while a runner waited for replies', 'bring Redis back and run again; check it is reachable from every CI machine'],
  APICHAT_REPORT_INPUT: ['usage', '`apichat-bdd report` or `diff` got a file that is missing or is not a Cucumber message file', 'pass the files written by `cucumber-js --format message:FILE`'],
  APICHAT_RUN_INVALID: ['config', 'APICHAT_RUN holds something other than the run the plugin describes', 'unset APICHAT_RUN (the plugin sets it for its workers)'],
  APICHAT_RUN_NOT_STARTED: ['config', 'a step ran but the run was never started', 'add the plugin to cucumber.js (plugin: ["./steps/plugin.mjs"])'],
  APICHAT_AI_AUTH: ['platform', 'the model server refused the key (401/403)', 'check APICHAT_AI_API_KEY (or OPENAI_API_KEY); a local server needs none'],
  APICHAT_AI_MODEL_NOT_FOUND: ['config', 'the model server does not know the model', 'set the variable the message names (APICHAT_JUDGE_MODEL, APICHAT_EMBEDDINGS_MODEL or APICHAT_USER_MODEL) to a model it serves'],
  APICHAT_AI_UNREACHABLE: ['platform', 'the model server cannot be reached (refused, DNS) or has no such endpoint', 'check APICHAT_AI_URL (an OpenAI-compatible base URL, usually ending in /v1) and that the server runs'],
  APICHAT_AI_TIMEOUT: ['platform', 'the model did not answer within APICHAT_AI_TIMEOUT_MS', 'raise APICHAT_AI_TIMEOUT_MS, or use a faster model'],
  APICHAT_AI_UNAVAILABLE: ['platform', 'the model server answered 5xx or 429 after the retries', 'retry later, or run fewer scenarios at once'],
  APICHAT_AI_REJECTED: ['platform', 'the model server rejected the request (4xx)', 'read the server\'s reason in the message; the model must support JSON schema output'],
  APICHAT_AI_BAD_OUTPUT: ['platform', 'the model\'s answer is not the JSON the framework asked for (the message quotes it)', 'use a model that supports structured output (json_schema)'],
  APICHAT_JUDGE_DISAGREES: ['scenario', 'the judge model found that the bot\'s answer does not meet the statement or criterion', 'read the judge\'s reason in the message; fix the bot or the criterion'],
  APICHAT_NOT_SIMILAR: ['scenario', 'no reply of the turn is similar enough to the reference text', 'compare the best score with APICHAT_SIMILARITY in the message'],
  APICHAT_WRONG_LANGUAGE: ['scenario', 'no reply of the turn is in the expected language', 'read the detected language and confidence in the message'],
  APICHAT_UNKNOWN_LANGUAGE: ['scenario', '"replies in <language>" names a language the detector does not know', 'use an English language name the message lists, e.g. Spanish'],
  APICHAT_WAIT_TIMEOUT: ['scenario', 'no matching reply arrived in time (inbox level)', 'raise APICHAT_REPLY_TIMEOUT_MS, or check the bot'],
  APICHAT_REPLY_TIMEOUT: ['scenario', 'the expected reply did not arrive within the reply timeout', 'check the bot, or raise APICHAT_REPLY_TIMEOUT_MS'],
  APICHAT_REPLY_MISMATCH: ['scenario', 'the reply that arrived is not the expected one', 'compare expected and received in the message'],
  APICHAT_UNEXPECTED_REPLY: ['scenario', '"says nothing more" but the bot said more', 'expect the extra reply, or fix the bot'],
  APICHAT_TOO_SLOW: ['scenario', 'the reply arrived later than the step allows', 'speed the bot up, or relax the step'],
  APICHAT_BUTTON_NOT_FOUND: ['scenario', 'no message offers the button to tap', 'tap one of the buttons the message lists'],
  APICHAT_BUTTON_AMBIGUOUS: ['scenario', 'several cards offer a button with that title', 'name the card: When the user taps "X" on card "Y"'],
  APICHAT_CARD_NOT_FOUND: ['scenario', 'the latest carousel has no card with that title', 'use one of the card titles the message lists'],
  APICHAT_NOT_POSTBACK: ['scenario', 'the button opens a URL (or calls) instead of sending a postback', 'assert the button instead of tapping it'],
  APICHAT_UNKNOWN_VARIABLE: ['scenario', 'a {{name}} placeholder names no captured variable', 'capture it first with a named group (?<name>…)'],
  APICHAT_PROFILE_KEY: ['scenario', 'the profile table of "a new conversation as … with:" has an unknown field', 'use the fields the message lists (email, phone)'],
  APICHAT_CARD_COLUMN: ['scenario', 'the table of "the carousel has cards:" has an unknown column', 'use the columns the message lists (title, subtitle, buttons, image, url)'],
  APICHAT_BAD_REGEX: ['scenario', 'a /regex/ in a step is not a valid regular expression', 'fix the pattern named in the message'],
  APICHAT_UNSTABLE_REPLY: ['scenario', '`crawl` or `record` saw a turn answered differently on its second visit (other replies, not just other values)', 'write that scenario by hand: the bot chooses at random or keeps state across conversations'],
  APICHAT_SIMULATED_TAP: ['scenario', 'the simulated user tapped a button that is not offered, twice in one turn', 'use a stronger APICHAT_USER_MODEL, or say in the goal which buttons to use'],
  APICHAT_TURN_LIMIT: ['scenario', '"chats with the bot for up to N turns" got N below 1', 'write at least 1 turn, or leave the part out for APICHAT_USER_MAX_TURNS'],
  APICHAT_NO_SIMULATION: ['scenario', '`the user\'s goal is met` ran in a scenario without a simulated user', 'put `When a user who wants to "…" chats with the bot` before it'],
  APICHAT_GOAL_NOT_MET: ['scenario', 'the judge found the simulated user\'s goal not reached', 'read the judge\'s reason and the last turns in the message; fix the bot or the goal'],
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERROR_CODES;

function categoryOf(code: ErrorCode): ErrorCategory {
  return ERROR_CODES[code][0];
}

/** The command line's exit code for an error of this code: 2 for the user's input, else 1. */
export function exitCodeOf(code: ErrorCode): 1 | 2 {
  const c = categoryOf(code);
  return c === 'usage' || c === 'config' ? 2 : 1;
}

/** Exit codes after a signal, the shell's 128 + signal number (the plugin and the bin both use them). */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The "Error codes" table of docs/reference.md, rendered from the list above. */
export function errorCodesTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, [category, meaning, fix]]) => `| \`${code}\` | ${category} | ${meaning} | ${fix} |`);
  return ['| code | kind | meaning | fix |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
