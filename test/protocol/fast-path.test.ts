// normalise() reads text and media replies field by field on the listener's hot path; the zod
// schemas (normaliseWithSchemas) are the reference. They must agree on every payload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { normalise, normaliseWithSchemas } from '../../src/protocol/index.ts';

const dir = new URL('../fixtures/protocol/', import.meta.url);
const outgoing = readdirSync(dir)
  .filter((f) => f.startsWith('outgoing-') && f.endsWith('.json'))
  .map((f) => ({ name: f, body: JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown> }));

const ODD_VALUES: unknown[] = [undefined, null, 0, 7, '', 'x', true, false, [], {}, ['a'], { a: 1 }];

function* mutations(body: Record<string, unknown>): Generator<[string, unknown]> {
  yield ['as is', body];
  yield ['unknown extra field', { ...body, reactions: [], added_later: { x: 1 } }];
  for (const key of [...Object.keys(body), 'content_type', 'text', 'url']) {
    for (const v of ODD_VALUES) {
      const copy: Record<string, unknown> = { ...body };
      if (v === undefined) delete copy[key];
      else copy[key] = v;
      yield [`${key} = ${JSON.stringify(v)}`, copy];
    }
  }
  for (const type of ['text', 'image', 'audio', 'video', 'file', 'sticker', 'location']) yield [`type ${type}`, { ...body, type }];
  const attrs = body.content_attributes as Record<string, unknown> | undefined;
  if (attrs && typeof attrs === 'object') {
    for (const key of [...Object.keys(attrs), 'text']) {
      for (const v of ODD_VALUES) {
        const copy: Record<string, unknown> = { ...attrs };
        if (v === undefined) delete copy[key];
        else copy[key] = v;
        yield [`content_attributes.${key} = ${JSON.stringify(v)}`, { ...body, content_attributes: copy }];
      }
    }
    const buttons = attrs.buttons;
    if (Array.isArray(buttons) && buttons.length > 0) {
      const first = buttons[0] as Record<string, unknown>;
      for (const key of [...Object.keys(first), 'url', 'payload', 'type']) {
        for (const v of ODD_VALUES) {
          const button: Record<string, unknown> = { ...first };
          if (v === undefined) delete button[key];
          else button[key] = v;
          yield [`buttons[0].${key} = ${JSON.stringify(v)}`, { ...body, content_attributes: { ...attrs, buttons: [button, ...buttons.slice(1)] } }];
        }
      }
      yield ['a button that is not an object', { ...body, content_attributes: { ...attrs, buttons: ['Yes'] } }];
      yield ['no buttons', { ...body, content_attributes: { ...attrs, buttons: [] } }];
    }
  }
}

test('the page has outgoing fixtures to compare on', () => {
  assert.ok(outgoing.length >= 7, `found ${outgoing.map((o) => o.name).join(', ')}`);
});

for (const { name, body } of outgoing) {
  test(`fast path and schemas agree on ${name} and its mutations`, () => {
    let compared = 0;
    for (const [label, payload] of mutations(body)) {
      const at = 1_700_000_000_000.5;
      assert.deepEqual(normalise(payload, at), normaliseWithSchemas(payload, at), `${name}: ${label}`);
      compared++;
    }
    assert.ok(compared > 50);
  });
}

test('fast path keeps the raw payload itself, not a copy', () => {
  const raw = { sender_id: 'u', conv_id: 1, text: 'hi', type: 'text', message_type: 'outgoing', private: false, extra: { deep: true } };
  const m = normalise(raw, 1);
  assert.equal(m.raw, raw);
  assert.equal(m.kind, 'text');
});

test('the page\'s button template takes the fast path (its buttons are the raw array)', () => {
  const body = outgoing.find((o) => o.name === 'outgoing-button-template.json')!.body;
  const m = normalise(body, 1);
  assert.equal(m.kind, 'buttons');
  assert.equal(m.kind === 'buttons' && m.buttons, (body.content_attributes as { buttons: unknown }).buttons);
});
