// The step phrases: the one list of the built-in steps with their keyword, example and what they
// check, which `apichat-bdd steps` prints, docs/phrases.md is generated from, and "did you mean"
// searches. steps/conversation.steps.ts registers exactly these patterns (test/steps/
// catalogue.test.ts compares Cucumber's registered step definitions with this list). Every example runs against the
// simulator's demo bot (bots/demo.yaml) after its `given` steps (test/integration/phrases.test.ts).

export type PhraseKeyword = 'Given' | 'When' | 'Then';

export interface Phrase {
  /** Stable key (JSON output, scenario names of the examples test). */
  id: string;
  keyword: PhraseKeyword;
  /** The Cucumber expression the step is registered with. */
  pattern: string;
  /** A whole step using it, keyword included, that passes against the demo bot after `given`. */
  example: string;
  /** The data table rows (first row the header) the example step carries, if any. */
  table?: string[][];
  /** Steps the example needs before it (a conversation to be in, a reply to look at). */
  given?: string[];
  /** What the step does or checks, in one or two sentences. */
  checks: string;
  /** The example needs a language model (an AI phrase): listed, but not run where none is reachable. */
  needsModel?: boolean;
}

const HI = ['Given a new conversation', 'When the user says "hi"'];
const ROOMS = ['Given a new conversation', 'When the user says "rooms"'];

export const PHRASES: readonly Phrase[] = [
  // ---- starting a conversation ----
  {
    id: 'new-conversation',
    keyword: 'Given',
    pattern: 'a new conversation',
    example: 'Given a new conversation',
    checks: 'Starts a conversation as a new bot user named "Test User" (a scenario without one gets it on its first action).',
  },
  {
    id: 'new-conversation-as',
    keyword: 'Given',
    pattern: 'a new conversation as {string}',
    example: 'Given a new conversation as "Ann"',
    checks: 'Starts a conversation as a new bot user with this name (sender.name).',
  },
  {
    id: 'new-conversation-email-phone',
    keyword: 'Given',
    pattern: 'a new conversation as {string} with email {string} and phone {string}',
    example: 'Given a new conversation as "Ann" with email "ann@example.com" and phone "+15550100"',
    checks: 'Starts a conversation with a profile: sent as sender.email and sender.phone_number on every message.',
  },
  {
    id: 'new-conversation-email',
    keyword: 'Given',
    pattern: 'a new conversation as {string} with email {string}',
    example: 'Given a new conversation as "Ann" with email "ann@example.com"',
    checks: 'Starts a conversation with an email address (sender.email).',
  },
  {
    id: 'new-conversation-phone',
    keyword: 'Given',
    pattern: 'a new conversation as {string} with phone {string}',
    example: 'Given a new conversation as "Ann" with phone "+15550100"',
    checks: 'Starts a conversation with a phone number (sender.phone_number).',
  },
  {
    id: 'new-conversation-table',
    keyword: 'Given',
    pattern: 'a new conversation as {string} with:',
    example: 'Given a new conversation as "Ann" with:',
    table: [
      ['email', 'ann@example.com'],
      ['phone', '+15550100'],
    ],
    checks: 'Starts a conversation with the profile in a two-column table (email, phone).',
  },
  // ---- what the user does ----
  {
    id: 'says',
    keyword: 'When',
    pattern: '{user} says/say {string}',
    example: 'When the user says "hi"',
    given: ['Given a new conversation'],
    checks: 'Sends a text message, once the bot has been quiet for the settle window.',
  },
  {
    id: 'taps',
    keyword: 'When',
    pattern: '{user} taps/tap {string}',
    example: 'When the user taps "Rooms"',
    given: HI,
    checks: 'Taps a postback button of the newest message offering it (sends its payload); fails naming the buttons there are.',
  },
  {
    id: 'taps-on-card',
    keyword: 'When',
    pattern: '{user} taps/tap {string} on card {string}',
    example: 'When the user taps "Choose" on card "Deluxe"',
    given: ROOMS,
    checks: 'Taps a button of one card of a carousel.',
  },
  {
    id: 'sends-media',
    keyword: 'When',
    pattern: '{user} sends/send {media} {string}',
    example: 'When the user sends an image "https://example.com/uploads/room.jpg"',
    given: ['Given a new conversation'],
    checks: 'Sends an attachment (an image, an audio, a video or a file) by URL.',
  },
  // ---- what the bot says ----
  {
    id: 'replies',
    keyword: 'Then',
    pattern: '{bot} replies/reply {string}',
    example: 'Then the bot replies "Hello! I am the Grand Demo Hotel bot."',
    given: HI,
    checks: 'A reply of this turn has exactly this text (trimmed); {{name}} is a captured variable.',
  },
  {
    id: 'replies-containing',
    keyword: 'Then',
    pattern: '{bot} replies/reply containing {string}',
    example: 'Then the bot replies containing "Grand Demo Hotel"',
    given: HI,
    checks: 'A reply of this turn contains this text.',
  },
  {
    id: 'replies-matching',
    keyword: 'Then',
    pattern: '{bot} replies/reply matching {regex}',
    example: 'Then the bot replies matching /^Booking (?<ref>BK-\\d+) is confirmed\\.$/',
    given: ['Given a new conversation', 'When the user says "status BK-12345"'],
    checks: 'A reply of this turn matches the /regex/flags; named groups become variables ({{ref}}).',
  },
  {
    id: 'shows-buttons',
    keyword: 'Then',
    pattern: '{bot} shows/show buttons {strings}',
    example: 'Then the bot shows buttons "Rooms", "Book", "Help", "Website"',
    given: HI,
    checks: 'A message of this turn has exactly these buttons, in this order.',
  },
  {
    id: 'shows-button',
    keyword: 'Then',
    pattern: '{bot} shows/show button {string}',
    example: 'Then the bot shows button "Menu"',
    given: ['Given a new conversation', 'When the user says "bye"'],
    checks: 'A message of this turn has exactly one button, with this title.',
  },
  {
    id: 'shows-link-button',
    keyword: 'Then',
    pattern: '{bot} shows/show a link button {string} to {string}',
    example: 'Then the bot shows a link button "Website" to "https://example.com/grand-demo-hotel"',
    given: HI,
    checks: 'A button (of a button message or a carousel card) with this title opens this URL.',
  },
  {
    id: 'shows-carousel',
    keyword: 'Then',
    pattern: '{bot} shows/show a carousel with {int} card(s)',
    example: 'Then the bot shows a carousel with 3 cards',
    given: ROOMS,
    checks: 'A carousel of this turn has this many cards.',
  },
  {
    id: 'carousel-cards',
    keyword: 'Then',
    pattern: 'the carousel has cards {strings}',
    example: 'Then the carousel has cards "Deluxe", "Suite", "Standard"',
    given: ROOMS,
    checks: 'The carousel has cards with these titles, in this order.',
  },
  {
    id: 'carousel-cards-table',
    keyword: 'Then',
    pattern: 'the carousel has cards:',
    example: 'Then the carousel has cards:',
    table: [
      ['title', 'subtitle', 'buttons'],
      ['Deluxe', 'King bed, sea view, from $180 a night', 'Choose, Details'],
      ['Suite', 'Separate living room, from $320 a night', 'Choose, Details'],
      ['Standard', 'Queen bed, city view, from $110 a night', 'Choose, Details'],
    ],
    given: ROOMS,
    checks: 'The carousel\'s cards, one table row each: title, and any of subtitle, buttons, image, url (empty = none).',
  },
  {
    id: 'sends-media-kind',
    keyword: 'Then',
    pattern: '{bot} sends/send {media}',
    example: 'Then the bot sends an image',
    given: ['Given a new conversation', 'When the user says "photo"'],
    checks: 'A reply of this turn is an attachment of this kind.',
  },
  {
    id: 'sends-media-containing',
    keyword: 'Then',
    pattern: '{bot} sends/send {media} containing {string}',
    example: 'Then the bot sends a video containing "tour.mp4"',
    given: ['Given a new conversation', 'When the user says "tour"'],
    checks: 'A reply of this turn is an attachment of this kind whose URL contains this text.',
  },
  {
    id: 'note-containing',
    keyword: 'Then',
    pattern: '{bot} adds/add a private note containing {string}',
    example: 'Then the bot adds a private note containing "New booking BK-"',
    given: [...ROOMS, 'When the user taps "Choose" on card "Deluxe"', 'When the user taps "Yes"'],
    checks: 'A private agent note of this turn contains this text (notes are never replies).',
  },
  {
    id: 'note',
    keyword: 'Then',
    pattern: '{bot} adds/add a private note {string}',
    example: 'Then the bot adds a private note "New booking {{ref}} for Ann (agent note)."',
    given: ['Given a new conversation as "Ann"', 'When the user says "rooms"', 'When the user taps "Choose" on card "Deluxe"', 'When the user taps "Yes"', 'Then the bot replies matching /reference is (?<ref>BK-\\d+)/'],
    checks: 'A private agent note of this turn has exactly this text.',
  },
  {
    id: 'nothing-more',
    keyword: 'Then',
    pattern: '{bot} says/say nothing more',
    example: 'Then the bot says nothing more',
    given: ['Given a new conversation', 'When the user says "bye"', 'Then the bot shows button "Menu"'],
    checks: 'No reply of this turn is left unclaimed, now or within the quiet window.',
  },
  {
    id: 'replies-within',
    keyword: 'Then',
    pattern: '{bot} replies/reply within {float} second(s)',
    example: 'Then the bot replies within 2 seconds',
    given: HI,
    checks: 'The first reply of this turn arrived within this many seconds of the user\'s action (claims nothing).',
  },
  // ---- replies written by a model (docs/ai.md) ----
  {
    id: 'replies-one-of',
    keyword: 'Then',
    pattern: '{bot} replies/reply one of {strings}',
    example: 'Then the bot replies one of "Check-in starts at 3 pm. Anything else I can help with?", "You can check in from 3 pm onwards." and "Our check-in time is 3 pm; early check-in depends on availability."',
    given: ['Given a new conversation', 'When the user says "check-in"'],
    checks: 'A reply of this turn has exactly one of these texts (no model needed).',
  },
  {
    id: 'replies-in-language',
    keyword: 'Then',
    pattern: '{bot} replies/reply in {language}',
    example: 'Then the bot replies in Spanish',
    given: ['Given a new conversation', 'When the user says "hola"'],
    checks: 'A reply of this turn is in this language (named in English), detected offline; a failure shows the detected language and its confidence.',
  },
  {
    id: 'replies-something-like',
    keyword: 'Then',
    pattern: '{bot} replies/reply something like {string}',
    example: 'Then the bot replies something like "Check-in is from 3 pm."',
    given: ['Given a new conversation', 'When the user says "check-in"'],
    checks: 'A reply of this turn is at least APICHAT_SIMILARITY (0.8) similar to this text (cosine of embeddings from APICHAT_EMBEDDINGS_MODEL).',
    needsModel: true,
  },
  {
    id: 'replies-to-the-effect',
    keyword: 'Then',
    pattern: '{bot} replies/reply to the effect that {string}',
    example: 'Then the bot replies to the effect that "guests can check in from 3 pm"',
    given: ['Given a new conversation', 'When the user says "check-in"'],
    checks: "A judge model (APICHAT_JUDGE_MODEL) decides that the turn's answer (its unclaimed texts, once settled) conveys this statement; a pass claims them.",
    needsModel: true,
  },
  {
    id: 'judge-agrees-reply',
    keyword: 'Then',
    pattern: "the judge agrees that {bot}'s reply {string}",
    example: "Then the judge agrees that the bot's reply \"greets the guest and asks what they would like to do\"",
    given: HI,
    checks: "A judge model decides that the turn's answer meets this criterion, written as a predicate; a pass claims it.",
    needsModel: true,
  },
  // ---- simulated users (docs/ai.md#simulated-users) ----
  {
    id: 'simulated-user',
    keyword: 'When',
    pattern: 'a user who wants to {string} chats with {bot}',
    example: 'When a user who wants to "book the Deluxe room" chats with the bot',
    given: ['Given a new conversation as "Ann"'],
    checks: 'A model (APICHAT_USER_MODEL) plays the user toward the goal, saying texts and tapping the offered buttons, until it stops or APICHAT_USER_MAX_TURNS (8) turns.',
    needsModel: true,
  },
  {
    id: 'simulated-user-turns',
    keyword: 'When',
    pattern: 'a user who wants to {string} chats with {bot} for up to {int} turn(s)',
    example: 'When a user who wants to "book the Deluxe room" chats with the bot for up to 6 turns',
    given: ['Given a new conversation as "Ann"'],
    checks: 'The same, with its own turn limit; reaching it is not a failure by itself.',
    needsModel: true,
  },
  {
    id: 'goal-met',
    keyword: 'Then',
    pattern: "the user's goal is met",
    example: "Then the user's goal is met",
    given: ['Given a new conversation as "Ann"', 'When a user who wants to "book the Deluxe room" chats with the bot'],
    checks: 'A judge reads the whole conversation and decides whether the simulated user reached the goal; a met goal is written as a scripted scenario under reports/simulated/.',
    needsModel: true,
  },
  {
    id: 'judge-agrees-conversation',
    keyword: 'Then',
    pattern: 'the judge agrees that the conversation {string}',
    example: 'Then the judge agrees that the conversation "never asks for the same thing twice"',
    given: ['Given a new conversation as "Ann"', 'When a user who wants to "book the Deluxe room" chats with the bot'],
    checks: 'A judge decides whether the whole conversation meets this criterion.',
    needsModel: true,
  },
];

/** The phrase as a reader writes it: {user} → the user, {bot} → the bot, say/says → says. */
export function readablePattern(pattern: string): string {
  return pattern
    .replace(/\{user\}/g, 'the user')
    .replace(/\{bot\}/g, 'the bot')
    .replace(/(\w+)\/\w+/g, '$1');
}
