// Hand-made transcripts and Cucumber envelopes for the report tests: every message kind, a
// private note, an unknown delivery, taps and a failed check, with fixed clock values.
import type { TranscriptData, TranscriptEvent } from '../../src/conversation/index.ts';
import { buildButtonReply, buildCarouselReply, buildMediaReply, buildTextReply, normalise, type AttachmentKind, type BotMessage, type UserAction } from '../../src/protocol/index.ts';
import type { Envelope } from '../../src/report/index.ts';
import type { PickleStepArgument } from '../../src/report/envelopes.ts';

export const T0 = 1_760_000_000_000;
const to = { sender_id: 'bdd-test', conv_id: 42 };

export const msg = {
  text: (text: string, at: number, isPrivate = false): BotMessage => normalise(buildTextReply({ ...to, private: isPrivate }, text), at),
  buttons: (text: string, buttons: Array<{ title: string; payload?: string; type?: string; url?: string }>, at: number): BotMessage =>
    normalise(buildButtonReply(to, text, buttons), at),
  carousel: (text: string, cards: Parameters<typeof buildCarouselReply>[2], at: number): BotMessage => normalise(buildCarouselReply(to, text, cards), at),
  media: (kind: AttachmentKind, url: string, at: number): BotMessage => normalise(buildMediaReply(to, kind, url), at),
  raw: (raw: unknown, at: number): BotMessage => normalise(raw, at),
};

/** Builds a transcript event by event; times are offsets (ms) from T0. */
export class TranscriptBuilder {
  private turn = 0;
  private index = 0;
  readonly events: TranscriptEvent[] = [];
  constructor(
    readonly name = 'Ann',
    readonly senderId = 'bdd-test',
  ) {}
  user(offset: number, action: UserAction): this {
    this.turn++;
    this.events.push({ type: 'user', turn: this.turn, at: T0 + offset, action });
    return this;
  }
  says(offset: number, text: string): this {
    return this.user(offset, { kind: 'text', text });
  }
  taps(offset: number, title: string, payload = title): this {
    return this.user(offset, { kind: 'postback', title, payload });
  }
  bot(offset: number, make: (at: number) => BotMessage, claimedBy?: string): this {
    this.events.push({ type: 'bot', turn: this.turn, at: T0 + offset, index: this.index++, message: make(T0 + offset), ...(claimedBy ? { claimedBy } : {}) });
    return this;
  }
  fails(offset: number, step: string, error: string): this {
    this.events.push({ type: 'check', turn: this.turn, at: T0 + offset, step, ok: false, error });
    return this;
  }
  build(): TranscriptData {
    return { senderId: this.senderId, name: this.name, conversationId: 42, startedAt: T0, events: this.events };
  }
}

/** A room card of the demo hotel: its picture, and Choose / Details postbacks named after it. */
const room = (title: string, subtitle: string) => {
  const key = title.toUpperCase();
  const buttons = [
    { title: 'Choose', payload: `CHOOSE_${key}` },
    { title: 'Details', payload: `DETAILS_${key}` },
  ];
  return { title, subtitle, image_url: `https://example.com/rooms/${title.toLowerCase()}.jpg`, buttons };
};

export const ROOMS = [room('Deluxe', 'King bed, sea view'), room('Suite', 'Separate living room')];

export const MENU = [
  { title: 'Rooms', payload: 'ROOMS' },
  { title: 'Help', payload: 'HELP' },
  { title: 'Website', type: 'web_url', url: 'https://example.com/hotel' },
];

export const FAILURE = [
  'Timed out after 1500 ms waiting for a reply with the text "Goodbye!".',
  '  expected: a reply with the text "Goodbye!"',
  '  waited:   1500 ms in turn 5 (after the user says "html")',
  '  received: 1 unclaimed reply in this turn:',
  '    - text "<script>alert(1)</script>"  (+12 ms)',
].join('\n');

/** A conversation with every kind of delivery, taps, a private note and a failed check last. */
export function richTranscript(): TranscriptData {
  return new TranscriptBuilder()
    .says(0, 'hi')
    .bot(40, (at) => msg.text('Hello! I am the bot.', at), 'the bot replies "Hello! I am the bot."')
    .bot(55, (at) => msg.buttons('What would you like to do?', MENU, at), 'the bot shows buttons "Rooms", "Help", "Website"')
    .taps(100, 'Rooms', 'ROOMS')
    .bot(130, (at) => msg.carousel('Our rooms', ROOMS, at), 'the bot shows a carousel with 2 cards')
    .taps(200, 'Choose', 'CHOOSE_SUITE')
    .bot(220, (at) => msg.text('You chose the Suite.', at), 'the bot replies "You chose the Suite."')
    .bot(230, (at) => msg.text('New booking for Ann (agent note).', at, true))
    .says(300, 'photo')
    .bot(310, (at) => msg.media('image', 'https://example.com/lobby.jpg', at), 'the bot sends an image')
    .bot(311, (at) => msg.media('video', 'https://example.com/tour.mp4', at), 'the bot sends a video')
    .bot(312, (at) => msg.media('audio', 'https://example.com/jingle.mp3', at), 'the bot sends an audio')
    .bot(313, (at) => msg.media('file', 'https://example.com/brochure.pdf', at), 'the bot sends a file')
    .bot(314, (at) => msg.raw({ sender_id: 'bdd-test', conv_id: 42, message_type: 'outgoing', type: 'location', latitude: -33.8, title: '<b>Hotel</b>' }, at))
    .says(400, 'html')
    .bot(412, (at) => msg.text('<script>alert(1)</script>', at))
    .fails(1900, 'the bot replies "Goodbye!"', FAILURE)
    .build();
}

// ---------- envelopes ----------

const ts = (ms: number): { seconds: number; nanos: number } => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

export interface ScenarioSpec {
  name: string;
  steps: Array<{ keyword: string; text: string; status: string; ms?: number; message?: string; argument?: PickleStepArgument }>;
  transcript?: TranscriptData;
  /** Attach the transcript base64-encoded instead of as identity text. */
  base64?: boolean;
  /** Earlier attempts that were retried (statuses of their steps). */
  retriedWith?: string;
  tags?: string[];
}

/** The envelopes of a run over features of scenarios, in the order Cucumber emits them (serially). */
export function runEnvelopes(features: Array<{ uri: string; name: string; scenarios: ScenarioSpec[] }>, start = T0): Envelope[] {
  const out: Envelope[] = [{ testRunStarted: { timestamp: ts(start) } }];
  let clock = start;
  let id = 0;
  const next = (p: string): string => `${p}-${++id}`;
  const cases: Array<{ spec: ScenarioSpec; testCaseId: string; stepIds: string[]; hookId: string }> = [];
  for (const f of features) {
    const scenarios = f.scenarios.map((spec, i) => ({ spec, id: next('scenario'), line: 3 + i * 10, stepIds: spec.steps.map(() => next('gstep')) }));
    out.push({
      gherkinDocument: {
        uri: f.uri,
        feature: {
          keyword: 'Feature',
          name: f.name,
          description: '  About this feature.',
          location: { line: 1 },
          children: scenarios.map((s) => ({
            scenario: {
              id: s.id,
              keyword: 'Scenario',
              name: s.spec.name,
              location: { line: s.line },
              steps: s.spec.steps.map((st, k) => ({ id: s.stepIds[k]!, keyword: `${st.keyword} `, text: st.text, location: { line: s.line + 1 + k } })),
            },
          })),
        },
      },
    });
    for (const s of scenarios) {
      const pickleId = next('pickle');
      const pickleStepIds = s.spec.steps.map(() => next('pstep'));
      out.push({
        pickle: {
          id: pickleId,
          uri: f.uri,
          name: s.spec.name,
          astNodeIds: [s.id],
          tags: (s.spec.tags ?? []).map((name) => ({ name })),
          steps: s.spec.steps.map((st, k) => ({ id: pickleStepIds[k]!, text: st.text, astNodeIds: [s.stepIds[k]!], ...(st.argument ? { argument: st.argument } : {}) })),
        },
      });
      const hookId = next('hook');
      const testCaseId = next('case');
      const stepIds = s.spec.steps.map(() => next('tstep'));
      out.push({ hook: { id: hookId, type: 'AFTER_TEST_CASE', sourceReference: { uri: 'steps/support/hooks.ts', location: { line: 46 } } } });
      out.push({ testCase: { id: testCaseId, pickleId, testSteps: [...stepIds.map((sid, k) => ({ id: sid, pickleStepId: pickleStepIds[k]! })), { id: `${testCaseId}-after`, hookId }] } });
      cases.push({ spec: s.spec, testCaseId, stepIds, hookId });
    }
  }
  const attempt = (c: (typeof cases)[number], n: number, statusOverride?: string): void => {
    const started = next('started');
    out.push({ testCaseStarted: { id: started, testCaseId: c.testCaseId, attempt: n, timestamp: ts(clock) } });
    c.spec.steps.forEach((st, k) => {
      const ms = st.ms ?? 10;
      clock += ms;
      const status = statusOverride ?? st.status;
      out.push({ testStepFinished: { testCaseStartedId: started, testStepId: c.stepIds[k]!, timestamp: ts(clock), testStepResult: { status, duration: ts(ms), ...(st.message && status === 'FAILED' ? { message: st.message } : {}) } } });
    });
    if (c.spec.transcript && !statusOverride) {
      const body = JSON.stringify(c.spec.transcript);
      out.push({
        attachment: c.spec.base64
          ? { testCaseStartedId: started, testStepId: `${c.testCaseId}-after`, mediaType: 'application/vnd.apichat.transcript+json', contentEncoding: 'BASE64', body: Buffer.from(body).toString('base64') }
          : { testCaseStartedId: started, testStepId: `${c.testCaseId}-after`, mediaType: 'application/vnd.apichat.transcript+json', contentEncoding: 'IDENTITY', body },
      });
    }
    clock += 2;
    out.push({ testStepFinished: { testCaseStartedId: started, testStepId: `${c.testCaseId}-after`, timestamp: ts(clock), testStepResult: { status: 'PASSED', duration: ts(2) } } });
    out.push({ testCaseFinished: { testCaseStartedId: started, timestamp: ts(clock), willBeRetried: statusOverride !== undefined } });
  };
  for (const c of cases) {
    if (c.spec.retriedWith) attempt(c, 0, c.spec.retriedWith);
    attempt(c, c.spec.retriedWith ? 1 : 0);
  }
  out.push({ testRunFinished: { success: !cases.some((c) => c.spec.steps.some((s) => s.status !== 'PASSED')), timestamp: ts(clock + 5) } });
  return out;
}
