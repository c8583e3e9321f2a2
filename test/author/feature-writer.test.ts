import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionStep, checkLines, quote, quoteListItem, renderFeature, tableCell, type FeatureDoc } from '../../src/author/index.ts';
import { say, tap } from './helpers.ts';

describe('feature writer', () => {
  test('a whole feature in the documented step phrases (docs/phrases.md)', () => {
    const doc: FeatureDoc = {
      name: 'Booking',
      description: ['Written for a test.'],
      scenarios: [
        {
          name: '"rooms", Choose on Suite, Yes',
          turns: [
            {
              action: say('rooms'),
              checks: [{ kind: 'carousel', text: { exact: 'Our rooms' }, count: 2, cards: [{ title: 'Deluxe', subtitle: 'Sea | view', buttons: ['Choose', 'Details'], image: 'https://e.com/d.jpg', url: '' }, { title: 'Suite', subtitle: '', buttons: ['Choose'], image: '', url: '' }] }],
              notes: [],
            },
            { action: tap('Choose', 'Suite'), checks: [{ kind: 'text', text: { exact: 'You chose the "Suite".' } }, { kind: 'buttons', text: { exact: 'Shall I?' }, titles: ['Yes', 'No', 'Terms'], links: [{ title: 'Terms', url: 'https://e.com/terms' }] }], notes: [] },
            { action: tap('Yes'), checks: [{ kind: 'text', text: { regex: '^Ref (?<ref>BK-\\d+)\\.$' } }], notes: [{ mode: 'exact', value: 'New booking {{ref}} for Ann' }, { mode: 'containing', value: 'agent' }, { mode: 'comment', value: 'two\nlines' }] },
          ],
        },
        { name: 'silence', turns: [{ action: say('ping'), checks: [], notes: [] }, { action: say('hi'), checks: [{ kind: 'media', media: 'audio', urlPart: null }], notes: [] }] },
      ],
    };
    assert.equal(
      renderFeature(doc),
      `Feature: Booking
  Written for a test.

  Scenario: "rooms", Choose on Suite, Yes
    Given a new conversation
    When the user says "rooms"
    Then the bot replies "Our rooms"
    And the carousel has cards:
      | title  | subtitle    | buttons         | image               |
      | Deluxe | Sea \\| view | Choose, Details | https://e.com/d.jpg |
      | Suite  |             | Choose          |                     |
    When the user taps "Choose" on card "Suite"
    Then the bot replies "You chose the \\"Suite\\"."
    And the bot replies "Shall I?"
    And the bot shows buttons "Yes", "No", "Terms"
    And the bot shows a link button "Terms" to "https://e.com/terms"
    When the user taps "Yes"
    Then the bot replies matching /^Ref (?<ref>BK-\\d+)\\.$/
    And the bot adds a private note "New booking {{ref}} for Ann"
    And the bot adds a private note containing "agent"
    # private note (not a reply): two lines
    And the bot says nothing more

  Scenario: silence
    Given a new conversation
    When the user says "ping"
    Then the bot says nothing more
    When the user says "hi"
    Then the bot sends an audio
    And the bot says nothing more
`,
    );
  });

  test('structure first, cards that cannot be a table, unknown shapes (no "nothing more" after them)', () => {
    assert.deepEqual(checkLines({ kind: 'buttons', text: { exact: 'Pick' }, titles: ['A'], structureFirst: true }), ['the bot shows buttons "A"', 'the bot replies "Pick"']);
    assert.deepEqual(checkLines({ kind: 'carousel', text: null, count: 1, cards: [{ title: 'X', subtitle: '', buttons: ['Buy, now'], image: '', url: '' }] }), ['the bot shows a carousel with 1 card']);
    const doc: FeatureDoc = { name: 'u', description: [], scenarios: [{ name: 'u', turns: [{ action: say('unknown'), checks: [{ kind: 'unknown', summary: 'unknown (x) {"type":"location"}' }], notes: [] }] }] };
    const out = renderFeature(doc);
    assert.match(out, /# the bot also sends a message of a shape no step checks: unknown \(x\) \{"type":"location"\}\n$/);
    assert.doesNotMatch(out, /nothing more/);
  });

  test('quoting follows what the parameter types undo', () => {
    assert.equal(quote('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteListItem('a\\"b'), '"a\\\\\\"b"');
    assert.equal(tableCell('a|b\\c\nd'), 'a\\|b\\\\c\\nd');
    assert.equal(actionStep({ kind: 'send', media: 'image', url: 'https://e.com/a.jpg' }), 'the user sends an image "https://e.com/a.jpg"');
    assert.equal(actionStep(tap('Choose', 'Suite')), 'the user taps "Choose" on card "Suite"');
  });
});
