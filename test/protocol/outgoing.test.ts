// Golden tests for the seven reply kinds the platform sends to the webhook: normalise() reads
// the page's exact JSON into the expected message, and the builders produce that JSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ButtonTemplateReplySchema, GenericTemplateReplySchema, MediaReplySchema, TextReplySchema, buildButtonReply, buildCarouselReply, buildMediaReply, buildTextReply, normalise, nowMs, type AttachmentKind } from '../../src/protocol/index.ts';
import { P, pageCompact, pageJson, pageText, PAGE_MEDIA } from './page.ts';

const AT = 1_700_000_000_123.25;
const to = { sender_id: P.userId, conv_id: P.conv };
const base = { sender_id: P.userId, conv_id: 123, private: false, arrived_at: AT };
const pageButton = { type: 'postback', title: P.buttonTitle, payload: P.buttonPayload };
const pageCard = {
  title: P.title,
  image_url: P.imageUrl,
  item_url: null,
  subtitle: P.subtitle,
  default_action: null,
  buttons: [pageButton],
};

describe('outgoing: normalise() of the page payloads', () => {
  it('text', () => {
    const raw = pageJson('outgoing-text');
    const m = normalise(raw, AT);
    assert.deepEqual(m, { ...base, raw, kind: 'text', text: P.text });
    assert.equal(m.raw, raw, 'raw is the very object that was parsed');
  });

  it('button template', () => {
    const raw = pageJson('outgoing-button-template');
    const m = normalise(raw, AT);
    assert.deepEqual(m, { ...base, raw, kind: 'buttons', text: P.text, buttons: [pageButton, pageButton] });
    assert.equal(m.raw, raw);
  });

  it('generic template (card / carousel)', () => {
    const raw = pageJson('outgoing-generic-template');
    const m = normalise(raw, AT);
    assert.deepEqual(m, { ...base, raw, kind: 'carousel', text: P.text, ratio: 'horizontal', cards: [pageCard, pageCard] });
    assert.equal(m.raw, raw);
  });

  for (const [kind, url] of PAGE_MEDIA) {
    it(kind, () => {
      const raw = pageJson(`outgoing-${kind}`);
      const m = normalise(raw, AT);
      assert.deepEqual(m, { ...base, raw, kind, url });
      assert.equal(m.raw, raw);
    });
  }

  it('normalise does not mutate the parsed body', () => {
    for (const name of ['outgoing-text', 'outgoing-button-template', 'outgoing-generic-template', 'outgoing-image']) {
      const raw = pageJson(name);
      normalise(raw, AT);
      assert.equal(JSON.stringify(raw), pageCompact(name), name);
    }
  });

  it('each page payload matches exactly one reply schema', () => {
    const schemas = { text: TextReplySchema, buttons: ButtonTemplateReplySchema, carousel: GenericTemplateReplySchema, media: MediaReplySchema };
    const expected: Record<string, keyof typeof schemas> = {
      'outgoing-text': 'text',
      'outgoing-button-template': 'buttons',
      'outgoing-generic-template': 'carousel',
      'outgoing-image': 'media',
      'outgoing-audio': 'media',
      'outgoing-video': 'media',
      'outgoing-file': 'media',
    };
    for (const [name, want] of Object.entries(expected)) {
      const matching = Object.entries(schemas)
        .filter(([, s]) => s.safeParse(pageJson(name)).success)
        .map(([k]) => k);
      assert.deepEqual(matching, [want], name);
    }
  });

  it('arrived_at defaults to the current time (epoch ms, on the monotonic clock nowMs() keeps)', () => {
    const before = nowMs();
    const m = normalise(pageJson('outgoing-text'));
    const after = nowMs();
    assert.ok(m.arrived_at >= before && m.arrived_at <= after, `${m.arrived_at} not in [${before}, ${after}]`);
    // Epoch ms: near the wall clock, which drifts from the monotonic one by a few ms in a long
    // process (a 1 ms bound against Date.now() failed once).
    assert.ok(Math.abs(m.arrived_at - Date.now()) < 1_000, `${m.arrived_at} is not near Date.now() ${Date.now()}`);
  });
});

describe('outgoing: builders produce the page payloads', () => {
  it('buildTextReply', () => {
    const built = buildTextReply(to, P.text);
    assert.deepEqual(built, pageJson('outgoing-text'));
    assert.equal(JSON.stringify(built), pageCompact('outgoing-text'));
  });

  it('buildButtonReply', () => {
    const b = { title: P.buttonTitle, payload: P.buttonPayload };
    const built = buildButtonReply(to, P.text, [b, b]);
    assert.deepEqual(built, pageJson('outgoing-button-template'));
    assert.equal(JSON.stringify(built), pageCompact('outgoing-button-template'));
  });

  it('buildCarouselReply', () => {
    const card = {
      title: P.title,
      subtitle: P.subtitle,
      image_url: P.imageUrl,
      buttons: [{ title: P.buttonTitle, payload: P.buttonPayload }],
    };
    const built = buildCarouselReply(to, P.text, [card, card]);
    assert.deepEqual(built, pageJson('outgoing-generic-template'));
    assert.equal(JSON.stringify(built), pageCompact('outgoing-generic-template'));
  });

  for (const [kind, url] of [
    ['image', P.imageUrl],
    ['audio', P.audioUrl],
    ['video', P.videoUrl],
    ['file', P.fileUrl],
  ] as Array<[AttachmentKind, string]>) {
    it(`buildMediaReply ${kind}`, () => {
      const built = buildMediaReply(to, kind, url);
      assert.deepEqual(built, pageJson(`outgoing-${kind}`));
      assert.equal(JSON.stringify(built), pageCompact(`outgoing-${kind}`));
      assert.equal(
        JSON.stringify(built),
        `{"sender_id":"{{UNIQUE BOT USER ID}}","conv_id":123,"url":"${url}","type":"${kind}","message_type":"outgoing","private":false}`,
      );
    });
  }

  it('the fixtures are the page text, not a reformatted copy', () => {
    assert.equal(
      pageText('outgoing-text'),
      '{ "sender_id": "{{UNIQUE BOT USER ID}}", "conv_id": 123, "text": "{{TEXT MESSAGE}}", "type": "text", "message_type": "outgoing", "private": false }',
    );
  });

  it('private flag, postback payload default and non-postback buttons', () => {
    assert.equal(buildTextReply({ ...to, private: true }, 'note').private, true);
    const built = buildButtonReply(to, 'Pick', [
      { title: 'Yes' },
      { title: 'Site', type: 'web_url', url: 'https://example.com/' },
      { title: 'Call', type: 'phone_number', payload: '+61400000000' },
    ]);
    assert.deepEqual(built.content_attributes.buttons, [
      { type: 'postback', title: 'Yes', payload: 'Yes' },
      { type: 'web_url', title: 'Site', url: 'https://example.com/' },
      { type: 'phone_number', title: 'Call', payload: '+61400000000' },
    ]);
    const m = normalise(JSON.parse(JSON.stringify(built)), AT);
    assert.equal(m.kind, 'buttons');
    assert.deepEqual(m.kind === 'buttons' && m.buttons.map((b) => b.type), ['postback', 'web_url', 'phone_number']);
  });

  it('carousel defaults: empty image/subtitle, null item_url, no buttons, custom ratio', () => {
    const built = buildCarouselReply(to, 'Cards', [{ title: 'A' }], 'square');
    assert.deepEqual(built.content_attributes, {
      ratio: 'square',
      items: [{ title: 'A', image_url: '', item_url: null, subtitle: '', default_action: null, buttons: [] }],
    });
  });
});
