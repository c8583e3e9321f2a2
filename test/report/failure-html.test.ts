// What the report adds around a failure: the data table of a failed step (in the chat box and
// the step list), the diff against the nearest reply, and a search text that includes what the
// bot said (texts, card titles and subtitles, button titles, media URLs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nearestDiff } from '../../src/conversation/diff.ts';
import { formatFailure } from '../../src/conversation/errors.ts';
import { diffOf } from '../../src/report/chat.ts';
import { buildReport, renderReportHtml } from '../../src/report/index.ts';
import { searchText } from '../../src/report/html.ts';
import { TranscriptBuilder, msg, runEnvelopes } from './helpers.ts';

const STEP = 'the carousel has cards:';
const TABLE = [
  ['title', 'subtitle'],
  ['Deluxe', '199 EUR'],
  ['Suite <b>', '320 EUR'],
];
const carousel = (at: number) =>
  msg.carousel('Our rooms', [{ title: 'Deluxe', subtitle: '189 EUR', buttons: [{ title: 'Choose' }] }, { title: 'Suite <b>', subtitle: '320 EUR' }], at);

function failure(): string {
  const m = carousel(1010);
  return formatFailure('Timed out after 1500 ms waiting for a carousel.', {
    expected: 'a carousel with cards …',
    waitedMs: 1500,
    turn: 1,
    turnLabel: 'after the user says "rooms"',
    unclaimed: [{ message: m, at: 1010 }],
    turnStartedAt: 1000,
    diff: nearestDiff({ kind: 'carousel', rows: [{ title: 'Deluxe', subtitle: '199 EUR' }, { title: 'Suite <b>', subtitle: '320 EUR' }] }, [m]),
  });
}

function model() {
  const error = failure();
  const transcript = new TranscriptBuilder('Ann').says(0, 'rooms').bot(10, carousel).fails(1510, STEP, error).build();
  return buildReport(
    runEnvelopes([
      {
        uri: 'features/rooms.feature',
        name: 'Rooms',
        scenarios: [
          {
            name: 'prices',
            transcript,
            steps: [
              { keyword: 'When', text: 'the user says "rooms"', status: 'PASSED' },
              { keyword: 'Then', text: STEP, status: 'FAILED', message: error, argument: { dataTable: { rows: TABLE.map((r) => ({ cells: r.map((value) => ({ value })) })) } } },
            ],
          },
        ],
      },
    ]),
  );
}

describe('a failed data-table step in the report', () => {
  test('the model keeps the pickle step table', () => {
    const step = model().features[0]!.scenarios[0]!.steps[1]!;
    assert.deepEqual(step.table, TABLE);
  });

  test('the failure box shows the table, escaped, and the diff lines by kind', () => {
    const html = renderReportHtml(model());
    const box = html.slice(html.indexOf('<div class="row check failed"'), html.indexOf('<aside class="steps">'));
    assert.ok(box.includes('<table class="step-table"><thead><tr><th>title</th><th>subtitle</th></tr></thead>'), box);
    assert.ok(box.includes('<td>Suite &lt;b&gt;</td>'));
    assert.ok(box.includes('<h5>Nearest reply: carousel &quot;Our rooms&quot; (2 cards), card 1 differs</h5>'), box);
    assert.ok(box.includes('<span class="del">-   subtitle &quot;199 EUR&quot;</span>'), box);
    assert.ok(box.includes('<span class="ins">+   subtitle &quot;189 EUR&quot;</span>'), box);
    // and the step list shows the table under the step
    const aside = html.slice(html.indexOf('<aside class="steps">'));
    assert.ok(aside.includes('the carousel has cards:<table class="step-table">'));
  });

  test('diffOf reads the diff block back out of a failure message, and nothing from one without', () => {
    const d = diffOf(failure()).diff!;
    assert.equal(d.headline, 'carousel "Our rooms" (2 cards), card 1 differs');
    assert.deepEqual(d.lines, ['- expected', '+ actual', '', '  card 1 "Deluxe"', '-   subtitle "199 EUR"', '+   subtitle "189 EUR"']);
    assert.deepEqual(diffOf('Timed out.\n  expected: x\n  received: no unclaimed reply in this turn'), {});
  });
});

describe('the search text', () => {
  test('includes what the bot said and the step tables', () => {
    const m = model();
    const text = searchText(m.features[0]!, m.features[0]!.scenarios[0]!);
    for (const part of ['our rooms', '189 eur', 'suite <b>', 'choose', '199 eur', 'prices', 'the carousel has cards:']) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
  });
});
