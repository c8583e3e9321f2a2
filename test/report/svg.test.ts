// The chat as an SVG image: well-formed XML, self-contained, every string XML-escaped, every
// message kind drawn, taps and the failed check visible, height growing with the conversation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, renderConversationSvg, textWidth, wrap } from '../../src/report/index.ts';
import { TranscriptBuilder, msg, richTranscript } from './helpers.ts';

/** Minimal well-formedness check: balanced elements, quoted attributes, only known entities. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null) {
    if (m[6]) assert.fail(`stray "<" or malformed tag at ${m.index}: ${xml.slice(m.index, m.index + 60)}`);
    const text = m[5] ?? m[3] ?? '';
    for (const amp of text.matchAll(/&([^;\s]*);?/g)) assert.match(amp[0], /^&(amp|lt|gt|quot|apos|#\d+);$/, `bad entity near ${xml.slice(m.index, m.index + 60)}`);
    if (m[5] !== undefined) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `closing </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]!);
  }
  assert.deepEqual(stack, [], 'every element closed');
}

test('a rich conversation renders as well-formed, self-contained SVG with its size', () => {
  const svg = renderConversationSvg(richTranscript(), { title: 'Rich <scenario>', status: 'failed' });
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="(\d+)" viewBox="0 0 640 \1"/);
  assert.ok(!/(?:href|src)=/.test(svg), 'no external references');
});

test('everything the bot, the user or a step wrote is XML-escaped', () => {
  const svg = renderConversationSvg(richTranscript(), { title: 'Rich <scenario> & "more"' });
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(svg.includes('Rich &lt;scenario&gt; &amp; &quot;more&quot;'));
  assert.ok(svg.includes('&quot;&lt;b&gt;Hotel&lt;/b&gt;&quot;'));
  assert.equal(escapeXml('a\u0001b\uFFFF<'), 'ab&lt;');
});

test('every kind is drawn: texts, chips (tapped marked), cards, media, private note, unknown, failed step', () => {
  const svg = renderConversationSvg(richTranscript());
  for (const s of ['hi', 'Hello! I am the bot.', 'What would you like to do?', '✓ Rooms', 'Website ↗', 'Deluxe', 'Suite', '✓ Choose', 'Separate living room']) assert.ok(svg.includes(`>${s}<`), s);
  for (const s of ['▣ image', '▶ video', '♪ audio', '▤ file', 'https://example.com/brochure.pdf', 'PRIVATE NOTE', 'UNKNOWN DELIVERY']) assert.ok(svg.includes(s), s);
  assert.ok(svg.includes('tapped “Choose” (CHOOSE_SUITE)'));
  assert.ok(svg.includes('font-style="italic">New booking for Ann (agent note).<'));
  assert.ok(svg.includes('✗ Step failed: the bot replies &quot;Goodbye!&quot;'));
  assert.ok(svg.includes('expected: a reply with the text &quot;Goodbye!&quot;'));
  assert.ok(svg.includes('unclaimed: text &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;  (+12 ms)'));
  // The failed check is drawn last, below the reply it did not accept.
  assert.ok(svg.indexOf('✗ Step failed') > svg.indexOf('&lt;script&gt;alert(1)&lt;/script&gt;</text>'));
});

test('height grows with the conversation; an empty one still renders', () => {
  const height = (svg: string): number => Number(/height="(\d+)"/.exec(svg)![1]);
  const short = renderConversationSvg(new TranscriptBuilder().says(0, 'hi').bot(5, (at) => msg.text('Hello', at)).build());
  const long = renderConversationSvg(richTranscript());
  assert.ok(height(long) > height(short) * 3);
  const empty = renderConversationSvg(new TranscriptBuilder().build());
  assertWellFormed(empty);
  assert.ok(empty.includes('no messages'));
});

test('long texts wrap within the width, long words are broken', () => {
  const lines = wrap('The quick brown fox jumps over the lazy dog '.repeat(5), 200);
  assert.ok(lines.length > 3);
  for (const l of lines) assert.ok(textWidth(l) <= 200, l);
  const broken = wrap('x'.repeat(200), 100);
  assert.ok(broken.length > 1 && broken.every((l) => textWidth(l) <= 100));
  assert.deepEqual(wrap('a\nb', 100), ['a', 'b']);
});

test('the well-formedness check itself rejects broken markup', () => {
  assert.throws(() => assertWellFormed('<svg><text>a<b</text></svg>'));
  assert.throws(() => assertWellFormed('<svg><text>a & b</text></svg>'));
  assert.throws(() => assertWellFormed('<svg><g></svg>'));
  assertWellFormed('<svg><text x="1">a &amp; b</text><rect/></svg>');
});
