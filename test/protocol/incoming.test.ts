// Golden tests for what the tester sends to the bot URL: the builders must produce the
// page's JSON byte for byte (after compact re-serialisation), and the schema must read it back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  IncomingSchema,
  buildAttachment,
  buildIncoming,
  buildPostback,
  buildText,
  describeIncoming,
  type AttachmentKind,
} from '../../src/protocol/index.ts';
import { P, pageCompact, pageJson, PAGE_MEDIA } from './page.ts';

const sender = { id: P.userId, name: P.userName };

const SENDER_JSON = '{"id":"{{UNIQUE BOT USER ID}}","name":"{{BOT USER NAME}}","email":"","phone_number":"","type":"contact"}';

describe('incoming: golden payloads of the page', () => {
  it('text: buildText equals the page JSON, key order included', () => {
    const built = buildText(sender, P.conv, P.text);
    assert.equal(JSON.stringify(built), pageCompact('incoming-text'));
    // Spelled out too, so a fixture edit cannot silently move the target.
    assert.equal(
      JSON.stringify(built),
      `{"content":"{{TEXT MESSAGE}}","message_type":"incoming","sender":${SENDER_JSON},"conversation_id":123,"event":"message_created"}`,
    );
  });

  it('button postback: buildPostback equals the page JSON', () => {
    const built = buildPostback(sender, P.conv, { title: P.buttonTitle, payload: P.buttonPayload });
    assert.equal(JSON.stringify(built), pageCompact('incoming-postback'));
    assert.equal(
      JSON.stringify(built),
      `{"content":"{{BUTTON TITLE}}","message_type":"incoming","sender":${SENDER_JSON},"conversation_id":123,` +
        `"event":"message_postback","submitted_values":[{"title":"{{BUTTON TITLE}}","payload":"{{BUTTON PAYLOAD}}"}]}`,
    );
  });

  const media: Array<[AttachmentKind, string, string]> = [
    ['image', P.imageUrl, 'incoming-image'],
    ['audio', P.audioUrl, 'incoming-audio'],
    ['video', P.videoUrl, 'incoming-video'],
    ['file', P.fileUrl, 'incoming-file'],
  ];
  for (const [kind, url, fixture] of media) {
    it(`${kind}: buildAttachment equals the page JSON`, () => {
      const built = buildAttachment(sender, P.conv, kind, url);
      assert.equal(JSON.stringify(built), pageCompact(fixture));
      assert.equal(
        JSON.stringify(built),
        `{"content":"","message_type":"incoming","sender":${SENDER_JSON},"conversation_id":123,` +
          `"event":"message_created","attachments":[{"file_type":"${kind}","data_url":"${url}"}]}`,
      );
    });
  }

  it('the file fixture (lost on the page) follows the image pattern with file_type "file"', () => {
    const image = pageJson('incoming-image');
    const file = pageJson('incoming-file');
    image.attachments[0].file_type = 'file';
    image.attachments[0].data_url = P.fileUrl;
    assert.deepEqual(file, image);
  });
});

describe('incoming: IncomingSchema + describeIncoming read the page payloads', () => {
  it('text', () => {
    const raw = pageJson('incoming-text');
    const parsed = IncomingSchema.parse(raw);
    assert.deepEqual(parsed, raw);
    assert.deepEqual(describeIncoming(parsed), { kind: 'text', text: P.text });
  });

  it('button postback', () => {
    const raw = pageJson('incoming-postback');
    const parsed = IncomingSchema.parse(raw);
    assert.deepEqual(parsed, raw);
    assert.deepEqual(describeIncoming(parsed), { kind: 'postback', title: P.buttonTitle, payload: P.buttonPayload });
  });

  for (const [kind, url] of PAGE_MEDIA) {
    it(kind, () => {
      const raw = pageJson(`incoming-${kind}`);
      const parsed = IncomingSchema.parse(raw);
      assert.deepEqual(parsed, raw);
      assert.deepEqual(describeIncoming(parsed), { kind, url });
    });
  }

  it('keeps unknown fields (loose schemas)', () => {
    const raw = { ...pageJson('incoming-text'), future_field: { x: 1 } };
    raw.sender.locale = 'en';
    const parsed = IncomingSchema.parse(raw) as Record<string, any>;
    assert.deepEqual(parsed.future_field, { x: 1 });
    assert.equal(parsed.sender.locale, 'en');
  });

  it('rejects what is not an incoming message', () => {
    const bad: Array<[string, (m: any) => void]> = [
      ['outgoing message_type', (m) => (m.message_type = 'outgoing')],
      ['unknown event', (m) => (m.event = 'message_deleted')],
      ['string conversation_id', (m) => (m.conversation_id = '123')],
      ['empty sender id', (m) => (m.sender.id = '')],
      ['sender type other than contact', (m) => (m.sender.type = 'user')],
      ['empty attachments', (m) => (m.attachments = [])],
      ['unknown file_type', (m) => (m.attachments = [{ file_type: 'sticker', data_url: 'u' }])],
    ];
    for (const [why, mutate] of bad) {
      const m = pageJson('incoming-text');
      mutate(m);
      assert.equal(IncomingSchema.safeParse(m).success, false, why);
    }
    const pb = pageJson('incoming-postback');
    pb.submitted_values = [];
    assert.equal(IncomingSchema.safeParse(pb).success, false, 'postback without submitted_values');
  });
});

describe('incoming: builders', () => {
  it('fills optional email / phone_number with empty strings, keeps given ones', () => {
    assert.deepEqual(buildText({ id: 'u1', name: 'Ann' }, 7, 'hi').sender, {
      id: 'u1',
      name: 'Ann',
      email: '',
      phone_number: '',
      type: 'contact',
    });
    assert.deepEqual(buildText({ id: 'u1', name: 'Ann', email: 'a@b.c', phone_number: '+61' }, 7, 'hi').sender, {
      id: 'u1',
      name: 'Ann',
      email: 'a@b.c',
      phone_number: '+61',
      type: 'contact',
    });
  });

  it('buildIncoming dispatches on the action and round-trips through describeIncoming', () => {
    const actions = [
      { kind: 'text', text: 'hello' },
      { kind: 'postback', title: 'Yes', payload: 'YES_PAYLOAD' },
      { kind: 'image', url: 'https://x/i.png' },
      { kind: 'audio', url: 'https://x/a.mp3' },
      { kind: 'video', url: 'https://x/v.mp4' },
      { kind: 'file', url: 'https://x/f.pdf' },
    ] as const;
    for (const action of actions) {
      const msg = buildIncoming(sender, 9, action);
      assert.deepEqual(describeIncoming(IncomingSchema.parse(msg)), action);
    }
    assert.equal(JSON.stringify(buildIncoming(sender, P.conv, { kind: 'text', text: P.text })), pageCompact('incoming-text'));
    assert.equal(
      JSON.stringify(buildIncoming(sender, P.conv, { kind: 'postback', title: P.buttonTitle, payload: P.buttonPayload })),
      pageCompact('incoming-postback'),
    );
    assert.equal(JSON.stringify(buildIncoming(sender, P.conv, { kind: 'file', url: P.fileUrl })), pageCompact('incoming-file'));
  });
});
