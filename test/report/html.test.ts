// The HTML page from a hand-made run: every message kind drawn as its element, taps marked,
// the failing step in its place, coverage listed, and everything that came from the bot, the
// user or a step escaped (a reply "<script>alert(1)</script>" is text, never markup).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildReport, botContent, escapeHtml, renderChat, renderReportHtml, safeUrl } from '../../src/report/index.ts';
import { FAILURE, MENU, TranscriptBuilder, msg, richTranscript, runEnvelopes } from './helpers.ts';

function page(): string {
  return renderReportHtml(
    buildReport(
      runEnvelopes([
        {
          uri: 'features/a.feature',
          name: 'Alpha <i>feature</i>',
          scenarios: [
            {
              name: 'rich <img src=x onerror=alert(3)>',
              transcript: richTranscript(),
              tags: ['@chat'],
              steps: [
                { keyword: 'Given', text: 'a new conversation', status: 'PASSED' },
                { keyword: 'Then', text: 'the bot replies "Goodbye!"', status: 'FAILED', message: FAILURE },
              ],
            },
            {
              name: 'greeting',
              transcript: new TranscriptBuilder('Bob').says(0, 'hi').bot(9, (at) => msg.buttons('What would you like to do?', MENU, at), 'the bot shows buttons').build(),
              steps: [{ keyword: 'When', text: 'the user says "hi"', status: 'PASSED' }],
            },
          ],
        },
        {
          uri: 'features/b.feature',
          name: 'Beta',
          scenarios: [{ name: 'undefined step, no conversation', steps: [{ keyword: 'When', text: 'something undefined', status: 'UNDEFINED' }] }],
        },
      ]),
    ),
  );
}

describe('escaping', () => {
  const html = page();
  test('a bot reply that is a <script> tag is text', () => {
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });
  test('the only script elements are the page’s own two', () => {
    assert.equal(html.match(/<script\b/gi)?.length, 2);
  });
  test('scenario and feature names, unknown payloads and failure messages are escaped', () => {
    assert.ok(!html.includes('<img src=x onerror=alert(3)>'));
    assert.ok(html.includes('rich &lt;img src=x onerror=alert(3)&gt;'));
    assert.ok(html.includes('Alpha &lt;i&gt;feature&lt;/i&gt;'));
    assert.ok(html.includes('&quot;title&quot;: &quot;&lt;b&gt;Hotel&lt;/b&gt;&quot;'));
    assert.ok(!html.includes('<b>Hotel</b>'));
  });
  test('attribute values are escaped too, and only http(s) URLs become links or sources', () => {
    const m = msg.media('image', 'javascript:alert(1)', 0);
    const out = botContent(m);
    assert.ok(!out.includes('href="javascript'));
    assert.ok(!out.includes('src="javascript'));
    assert.ok(out.includes('javascript:alert(1)'));
    const quote = botContent(msg.media('file', 'https://example.com/a"onmouseover="alert(1).pdf', 0));
    assert.ok(!quote.includes('"onmouseover="'));
    assert.equal(safeUrl('https://example.com/x'), 'https://example.com/x');
    assert.equal(safeUrl('data:text/html,<b>'), null);
    assert.equal(escapeHtml(`<a href='x'>&"`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  });
});

describe('the chat', () => {
  const chat = renderChat(richTranscript());
  test('user messages and bot replies are rows on their sides, with the time since the action and the claiming step', () => {
    assert.equal(chat.match(/class="row user"/g)?.length, 5);
    assert.ok(chat.includes('<span class="since" title="time since the user\'s action">+40 ms</span>'));
    assert.ok(chat.includes('✓ the bot replies &quot;Hello! I am the bot.&quot;'));
    assert.ok(chat.includes('not claimed by any step'));
  });
  test('buttons are chips, the tapped one marked; link buttons are links', () => {
    assert.match(chat, /<span class="chip tapped"[^>]*data-payload="ROOMS">/);
    assert.match(chat, /<span class="chip"[^>]*data-payload="HELP">Help<\/span>/);
    assert.match(chat, /<a class="chip link" href="https:\/\/example.com\/hotel"[^>]*>Website ↗<\/a>/);
    assert.ok(chat.includes('<span class="tap-label">tapped</span> <span class="chip tapped">Rooms</span>'));
  });
  test('a carousel is a row of cards with image, title, subtitle and buttons', () => {
    assert.equal(chat.match(/<div class="card">/g)?.length, 2);
    assert.ok(chat.includes('<img src="https://example.com/rooms/suite.jpg" alt="Suite" loading="lazy">'));
    assert.ok(chat.includes('<div class="card-title">Suite</div><div class="card-sub">Separate living room</div>'));
    assert.match(chat, /<span class="chip tapped"[^>]*data-payload="CHOOSE_SUITE">/);
    assert.match(chat, /<span class="chip"[^>]*data-payload="CHOOSE_DELUXE">/);
  });
  test('media are the matching elements, with their kind and a link', () => {
    assert.ok(chat.includes('<figure class="media image"><div class="img-wrap"><img src="https://example.com/lobby.jpg"'));
    assert.ok(chat.includes('<video controls preload="none" src="https://example.com/tour.mp4">'));
    assert.ok(chat.includes('<audio controls preload="none" src="https://example.com/jingle.mp3">'));
    assert.match(chat, /<div class="media file"><span class="kind">file<\/span> <a href="https:\/\/example.com\/brochure.pdf"/);
  });
  test('a private note is greyed and labelled; an unknown delivery is shown raw', () => {
    assert.match(chat, /<div class="row bot kind-text private unclaimed"[^>]*><span class="label private-label">private note<\/span><div class="bubble bot"><span class="text">New booking for Ann \(agent note\).<\/span>/);
    assert.match(chat, /<div class="bubble bot unknown"><span class="label unknown-label">unknown delivery<\/span> <span class="reason">unrecognised shape: type &quot;location&quot;<\/span><pre class="raw">\{\n {2}&quot;sender_id&quot;/);
  });
  test('the failed step sits in its turn, after the replies it waited for, with expected versus unclaimed', () => {
    const check = chat.indexOf('class="row check failed"');
    assert.ok(check > chat.indexOf('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(check > chat.lastIndexOf('class="row user"'));
    const box = chat.slice(check);
    assert.ok(box.includes('<h5>Expected</h5><p>a reply with the text &quot;Goodbye!&quot;</p>'));
    assert.ok(box.includes('<h5>Unclaimed replies in turn 5</h5><ul><li><code>text &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;</code> <span class="since">+12 ms</span></li></ul>'));
  });
});

describe('the page', () => {
  const html = page();
  test('is one self-contained document: inline style and script, no external stylesheet or script', () => {
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(!/<link\b/i.test(html));
    assert.ok(!/<script[^>]+src=/i.test(html));
    assert.ok(html.includes('<style>'));
  });
  test('scenarios are grouped by feature, collapsible, with status, duration and a search key; failures open', () => {
    assert.equal(html.match(/<section class="feature"/g)?.length, 2);
    assert.match(html, /<details class="scenario failed" id="[^"]+" data-name="rich &lt;img src=x onerror=alert\(3\)&gt;" data-status="failed" data-group="failed" data-search="[^"]*rich &lt;img[^"]*@chat[^"]*" open>/);
    assert.match(html, /<details class="scenario passed" id="[^"]+" data-name="greeting" data-status="passed" data-group="passed" data-search="[^"]*greeting[^"]*">/);
    assert.match(html, /data-status="undefined" data-group="failed"/);
    assert.ok(html.includes('<button type="button" class="filter" data-filter="failed" aria-pressed="false">Failed <span class="n">2</span></button>'));
    assert.ok(html.includes('<span class="dur">'));
  });
  test('a failure outside any conversation is shown in the scenario', () => {
    const beta = html.slice(html.indexOf('data-uri="features/b.feature"'));
    assert.ok(beta.includes('<div class="check-title">✗ undefined: <b>When something undefined</b></div>'));
  });
  test('the coverage section lists the buttons never tapped', () => {
    const cov = html.slice(html.indexOf('<section class="coverage"'));
    assert.ok(cov.includes('Buttons exercised: <b id="cov-exercised">2 of 6</b>'));
    const untapped = cov.slice(cov.indexOf('<table class="buttons untapped">'), cov.indexOf('</table>'));
    assert.equal(untapped.match(/<tr title=/g)?.length, 4);
    assert.ok(untapped.includes('<td>What would you like to do?</td><td><span class="none">—</span></td><td><span class="chip">Help</span></td><td><code>HELP</code></td>'));
    assert.ok(untapped.includes('<td>Our rooms</td><td>Deluxe</td><td><span class="chip">Details</span></td><td><code>DETAILS_DELUXE</code></td>'));
    assert.ok(cov.includes('Link buttons <span class="n">1</span>'));
  });
});
