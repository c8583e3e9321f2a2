// normalise() on shapes beyond the page: unknown fields, private notes, URL buttons, sparse
// cards, odd id types, and bodies that must become `unknown` (never throw). Plus the helpers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buttonsOf,
  isMedia,
  normalise,
  renderCompact,
  textOf,
  type BotMessage,
} from '../../src/protocol/index.ts';
import { pageJson } from './page.ts';

const AT = 42.5;
const addr = { sender_id: 'user-1', conv_id: 7, message_type: 'outgoing', private: false };
/** A raw template reply (button_template, generic_template, …) addressed to `addr`. */
const template = (content_type: string, text: unknown, content_attributes: unknown) => ({ ...addr, type: 'text', text, content_type, content_attributes });
/** What normalise() keeps of `addr` at time AT, beside raw and the content. */
const envelope = { sender_id: 'user-1', conv_id: 7, private: false, arrived_at: AT };

describe('normalise: what must survive', () => {
  it('unknown fields pass through in raw (e.g. a future "reactions": [])', () => {
    const raw = { ...pageJson('outgoing-text'), reactions: [], meta: { v: 2 } };
    const m = normalise(raw, AT);
    assert.equal(m.kind, 'text');
    assert.equal(m.raw, raw);
    assert.deepEqual((m.raw as any).reactions, []);
    assert.deepEqual((m.raw as any).meta, { v: 2 });
  });

  it('unknown fields inside buttons and cards are kept on the normalised buttons/cards', () => {
    const raw = pageJson('outgoing-generic-template');
    raw.content_attributes.items[0].badge = 'new';
    raw.content_attributes.items[0].buttons[0].color = 'red';
    raw.content_attributes.future = true;
    const m = normalise(raw, AT);
    assert.equal(m.kind, 'carousel');
    if (m.kind !== 'carousel') return;
    assert.equal((m.cards[0] as any).badge, 'new');
    assert.equal((m.cards[0]!.buttons![0] as any).color, 'red');
    assert.equal((m.raw as any).content_attributes.future, true);
  });

  it('private: true is kept (an agent note)', () => {
    const m = normalise({ ...pageJson('outgoing-text'), private: true }, AT);
    assert.equal(m.kind, 'text');
    assert.equal(m.private, true);
    assert.equal(renderCompact(m), 'text "{{TEXT MESSAGE}}" (private note)');
    const media = normalise({ ...pageJson('outgoing-image'), private: true }, AT);
    assert.equal(media.private, true);
    assert.equal(renderCompact(media), 'image {{IMAGE URL}} (private note)');
  });

  it('a missing private flag means false', () => {
    const raw = pageJson('outgoing-text');
    delete raw.private;
    const m = normalise(raw, AT);
    assert.equal(m.kind, 'text');
    assert.equal(m.private, false);
  });

  it('a button of type "web_url" with a url', () => {
    const buttons = [
      { type: 'web_url', title: 'Open site', url: 'https://example.com/x?y=1' },
      { type: 'postback', title: 'Later', payload: 'LATER' },
    ];
    const raw = template('button_template', 'Visit us', { text: 'Visit us', buttons });
    const m = normalise(raw, AT);
    assert.deepEqual(m, { ...envelope, raw, kind: 'buttons', text: 'Visit us', buttons }, 'typed buttons pass through as they came');
    assert.deepEqual(
      buttonsOf(m).map(({ button }) => [button.type, button.title, button.url ?? null, button.payload ?? null]),
      [
        ['web_url', 'Open site', 'https://example.com/x?y=1', null],
        ['postback', 'Later', null, 'LATER'],
      ],
    );
  });

  it('a button without type defaults to postback', () => {
    const m = normalise(
      template('button_template', 't', { buttons: [{ title: 'A', payload: 'a' }] }),
      AT,
    );
    assert.equal(m.kind, 'buttons');
    assert.deepEqual(m.kind === 'buttons' && m.buttons, [{ type: 'postback', title: 'A', payload: 'a' }]);
  });

  it('button template text: content_attributes.text first, then text, then ""', () => {
    const mk = (text: unknown, caText: unknown) =>
      normalise(template('button_template', text, { text: caText, buttons: [] }), AT);
    assert.equal(textOf(mk('outer', 'inner')), 'inner');
    assert.equal(textOf(mk('outer', null)), 'outer');
    assert.equal(textOf(mk(null, undefined)), '');
  });

  it('cards with null subtitle / buttons / image_url, no ratio', () => {
    const items = [
      { title: 'Bare', subtitle: null, image_url: null, item_url: null, default_action: null, buttons: null },
      { title: 'One', buttons: [{ type: 'postback', title: 'Buy', payload: 'BUY' }] },
    ];
    const raw = template('generic_template', null, { items });
    const m = normalise(raw, AT);
    assert.deepEqual(m, { ...envelope, raw, kind: 'carousel', text: '', ratio: null, cards: items }, 'the nulls are kept on the cards');
    const bs = buttonsOf(m);
    assert.equal(bs.length, 1);
    assert.equal(bs[0]!.button.title, 'Buy');
    assert.equal(bs[0]!.card?.title, 'One');
    assert.equal(renderCompact(m), 'carousel "" 2 card(s): "Bare"; "One" ["Buy"]');
  });

  it('string conv_id stays a string; numeric sender_id becomes a string', () => {
    const m = normalise({ sender_id: 98765, conv_id: '123', text: 'hi', type: 'text', message_type: 'outgoing', private: false }, AT);
    assert.equal(m.kind, 'text');
    assert.equal(m.sender_id, '98765');
    assert.equal(m.conv_id, '123');
  });

  it('an explicit null content_type is plain text', () => {
    const m = normalise({ ...pageJson('outgoing-text'), content_type: null }, AT);
    assert.equal(m.kind, 'text');
  });
});

describe('normalise: shapes that become unknown, with a reason, never throwing', () => {
  const cases: Array<[string, unknown, string, { sender_id: string | null; conv_id: unknown }]> = [
    [
      'type "sticker"',
      { ...addr, type: 'sticker', sticker_id: 5 },
      'unrecognised shape: type "sticker"',
      { sender_id: 'user-1', conv_id: 7 },
    ],
    [
      'content_type "quick_replies"',
      template('quick_replies', 'Pick', { items: [] }),
      'unrecognised shape: type "text" content_type "quick_replies"',
      { sender_id: 'user-1', conv_id: 7 },
    ],
    ['missing text', { ...addr, type: 'text' }, 'type "text" without a string text', { sender_id: 'user-1', conv_id: 7 }],
    ['media without url', { ...addr, type: 'video' }, 'type "video" without a string url', { sender_id: 'user-1', conv_id: 7 }],
    [
      'message_type "incoming"',
      { ...addr, message_type: 'incoming', type: 'text', text: 'echo' },
      'message_type is "incoming", not "outgoing"',
      { sender_id: 'user-1', conv_id: 7 },
    ],
    ['no sender_id', { conv_id: 7, type: 'text', text: 'x', message_type: 'outgoing' }, 'no sender_id', { sender_id: null, conv_id: null }],
    ['array body', [{ ...addr, type: 'text', text: 'x' }], 'body is an array, not an object', { sender_id: null, conv_id: null }],
    ['string body', 'hello', 'body is string, not an object', { sender_id: null, conv_id: null }],
    ['number body', 3, 'body is number, not an object', { sender_id: null, conv_id: null }],
    ['null', null, 'body is null, not an object', { sender_id: null, conv_id: null }],
    ['undefined', undefined, 'body is undefined, not an object', { sender_id: null, conv_id: null }],
  ];
  for (const [name, raw, reason, ids] of cases) {
    it(name, () => {
      let m: BotMessage | undefined;
      assert.doesNotThrow(() => {
        m = normalise(raw, AT);
      });
      assert.equal(m!.kind, 'unknown');
      assert.equal(m!.kind === 'unknown' && m!.reason, reason);
      assert.equal(m!.raw, raw);
      assert.equal(m!.sender_id, ids.sender_id);
      assert.equal(m!.conv_id, ids.conv_id);
      assert.equal(m!.arrived_at, AT);
      assert.equal(textOf(m!), null);
      assert.deepEqual(buttonsOf(m!), []);
      assert.equal(isMedia(m!), false);
    });
  }

  it('an unknown message keeps its address so it can be filed under its conversation', () => {
    const m = normalise({ sender_id: 5, conv_id: '9', type: 'sticker', message_type: 'outgoing', private: true }, AT);
    assert.equal(m.kind, 'unknown');
    assert.equal(m.sender_id, '5');
    assert.equal(m.conv_id, '9');
    assert.equal(m.private, true);
  });

  it('malformed members never throw either', () => {
    const bodies: unknown[] = [
      template('button_template', 'x', null),
      template('button_template', 'x', { buttons: 'nope' }),
      template('generic_template', 'x', { items: [{ subtitle: 's' }] }),
      { ...addr, type: 'text', text: 'x', private: 'yes' },
      { ...addr, type: 'image', url: 5 },
      { sender_id: { id: 1 }, type: 'text', text: 'x', message_type: 'outgoing' },
      true,
    ];
    for (const b of bodies) {
      const m = normalise(b, AT);
      assert.equal(m.kind, 'unknown', JSON.stringify(b));
      assert.equal(typeof (m as { reason: string }).reason, 'string');
      assert.ok((m as { reason: string }).reason.length > 0);
      assert.doesNotThrow(() => renderCompact(m));
    }
  });
});

describe('message helpers', () => {
  const text = normalise(pageJson('outgoing-text'), AT);
  const buttons = normalise(pageJson('outgoing-button-template'), AT);
  const carousel = normalise(pageJson('outgoing-generic-template'), AT);
  const media = (['image', 'audio', 'video', 'file'] as const).map((k) => normalise(pageJson(`outgoing-${k}`), AT));

  it('textOf', () => {
    assert.equal(textOf(text), '{{TEXT MESSAGE}}');
    assert.equal(textOf(buttons), '{{TEXT MESSAGE}}');
    assert.equal(textOf(carousel), '{{TEXT MESSAGE}}');
    for (const m of media) assert.equal(textOf(m), null);
  });

  it('buttonsOf', () => {
    assert.deepEqual(buttonsOf(text), []);
    assert.deepEqual(buttonsOf(buttons), [
      { button: { type: 'postback', title: '{{BUTTON TITLE}}', payload: '{{BUTTON PAYLOAD}}' } },
      { button: { type: 'postback', title: '{{BUTTON TITLE}}', payload: '{{BUTTON PAYLOAD}}' } },
    ]);
    const cs = buttonsOf(carousel);
    assert.equal(cs.length, 2);
    assert.ok(carousel.kind === 'carousel');
    assert.equal(cs[0]!.card, carousel.cards[0]);
    assert.equal(cs[1]!.card, carousel.cards[1]);
    assert.deepEqual(cs[0]!.button, { type: 'postback', title: '{{BUTTON TITLE}}', payload: '{{BUTTON PAYLOAD}}' });
    for (const m of media) assert.deepEqual(buttonsOf(m), []);
  });

  it('isMedia', () => {
    assert.equal(isMedia(text), false);
    assert.equal(isMedia(buttons), false);
    assert.equal(isMedia(carousel), false);
    assert.deepEqual(
      media.map((m) => [m.kind, isMedia(m)]),
      [
        ['image', true],
        ['audio', true],
        ['video', true],
        ['file', true],
      ],
    );
  });

  it('renderCompact', () => {
    assert.equal(renderCompact(text), 'text "{{TEXT MESSAGE}}"');
    assert.equal(renderCompact(buttons), 'buttons "{{TEXT MESSAGE}}" ["{{BUTTON TITLE}}", "{{BUTTON TITLE}}"]');
    assert.equal(
      renderCompact(carousel),
      'carousel "{{TEXT MESSAGE}}" 2 card(s): "{{TITLE}}" ["{{BUTTON TITLE}}"]; "{{TITLE}}" ["{{BUTTON TITLE}}"]',
    );
    assert.deepEqual(media.map(renderCompact), ['image {{IMAGE URL}}', 'audio {{AUDIO URL}}', 'video {{VIDEO URL}}', 'file {{FILE URL}}']);
    assert.equal(renderCompact(normalise(null, AT)), 'unknown (body is null, not an object) null');
    assert.equal(
      renderCompact(normalise({ ...addr, type: 'sticker' }, AT)),
      'unknown (unrecognised shape: type "sticker") {"sender_id":"user-1","conv_id":7,"message_type":"outgoing","private":false,"type":"sticker"}',
    );
  });

  it('renderCompact truncates long unknown bodies to 160 characters with an ellipsis', () => {
    const s = renderCompact(normalise({ ...addr, type: 'sticker', blob: 'x'.repeat(500) }, AT));
    const prefix = 'unknown (unrecognised shape: type "sticker") ';
    assert.ok(s.startsWith(prefix));
    const body = s.slice(prefix.length);
    assert.equal(body.length, 160);
    assert.ok(body.endsWith('…'));
    assert.equal(body.slice(0, 159), JSON.stringify({ ...addr, type: 'sticker', blob: 'x'.repeat(500) }).slice(0, 159));
  });
});
