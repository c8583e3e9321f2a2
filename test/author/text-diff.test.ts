import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commonUrlPrefix, diffWords, escapeRegex, generaliseTexts, nameHint, wordPattern } from '../../src/author/index.ts';

const names = (): ((hint: string) => string) => {
  const taken = new Set<string>();
  return (hint) => {
    let n = hint;
    for (let i = 2; taken.has(n); i++) n = `${hint}${i}`;
    taken.add(n);
    return n;
  };
};

/** The generalised pattern must match both observations and a plausible third one. */
function check(a: string, b: string, third: string, expected: string): void {
  const g = generaliseTexts(a, b, names());
  assert.equal(g.source, expected);
  const re = new RegExp(g.source);
  for (const s of [a, b, third]) assert.match(s, re, `matches ${JSON.stringify(s)}`);
}

describe('generaliseTexts', () => {
  test('a booking reference: literal around, the value a named group with its stable prefix', () => {
    check('Your booking reference is BK-20417.', 'Your booking reference is BK-63001.', 'Your booking reference is BK-123.', '^Your booking reference is (?<reference>BK-\\d+)\\.$');
  });

  test('times and dates: every digit run generalised, separators literal', () => {
    check('Booked for 10:32 on 2026-11-30', 'Booked for 9:05 on 2026-12-01', 'Booked for 23:59 on 2027-01-01', '^Booked for (?<booked>\\d+:\\d+) on (?<booked2>\\d+-\\d+-\\d+)$');
  });

  test('a differing word becomes a letter class; differing shapes become \\S+', () => {
    check('Today is Monday.', 'Today is Tuesday.', 'Today is Friday.', '^Today is (?<today>[A-Za-z]+)\\.$');
    check('Your code: a8F3k', 'Your code: 9Zq-1', 'Your code: x', '^Your code: (?<code>\\S+)$');
  });

  test('several words that vary, and a part that is missing in one visit, stay unnamed', () => {
    const g = generaliseTexts('Hello Ann Smith, welcome', 'Hello Bo, welcome', names());
    assert.equal(g.source, '^Hello .+? welcome$');
    assert.deepEqual(g.groups, []);
    assert.match('Hello Jean Paul Sartre, welcome', new RegExp(g.source));
    const h = generaliseTexts('Done. Tip: try menu', 'Done.', names());
    assert.match('Done.', new RegExp(h.source));
    assert.match('Done. Tip: try menu', new RegExp(h.source));
  });

  test('regex characters in the literal parts are escaped', () => {
    check('Price (incl. tax) $5 [a|b] 1/2 *x*?', 'Price (incl. tax) $7 [a|b] 1/2 *x*?', 'Price (incl. tax) $12 [a|b] 1/2 *x*?', '^Price \\(incl\\. tax\\) (?<tax>\\$\\d+) \\[a\\|b\\] 1\\/2 \\*x\\*\\?$');
  });

  test('group names are unique within a scenario', () => {
    const take = names();
    assert.deepEqual(generaliseTexts('ref A1 ref B2', 'ref C3 ref D4', take).groups, ['ref', 'ref2']);
    assert.deepEqual(generaliseTexts('ref X9', 'ref Y8', take).groups, ['ref3']);
  });
});

describe('text-diff pieces', () => {
  test('diffWords keeps the spaces and merges runs', () => {
    assert.deepEqual(diffWords('a b c', 'a x c'), [{ same: 'a ' }, { a: 'b', b: 'x' }, { same: ' c' }]);
    assert.deepEqual(diffWords('same', 'same'), [{ same: 'same' }]);
  });

  test('wordPattern', () => {
    assert.equal(wordPattern('BK-1', 'BK-22'), 'BK-\\d+');
    assert.equal(wordPattern('ab', 'CD'), '[A-Za-z]+');
    assert.equal(wordPattern('ab', 'cd'), '[a-z]+');
    assert.equal(wordPattern('a1', '1a'), '\\S+');
  });

  test('nameHint skips short and common words', () => {
    assert.equal(nameHint('Your booking reference is '), 'reference');
    assert.equal(nameHint('It is '), 'value');
  });

  test('escapeRegex makes any text literal, newlines included', () => {
    const s = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p\nq';
    assert.match(s, new RegExp(`^${escapeRegex(s)}$`));
    assert.doesNotMatch('aXb*c+d?e^f$g{h}i(j)k|l[m]n\\o/p\nq', new RegExp(`^${escapeRegex(s)}$`));
  });

  test('commonUrlPrefix cuts at a path boundary and needs a host', () => {
    assert.equal(commonUrlPrefix('https://cdn.example.com/a/123.jpg', 'https://cdn.example.com/a/456.jpg'), 'https://cdn.example.com/a/');
    assert.equal(commonUrlPrefix('https://a.example.com/x', 'https://b.example.com/x'), null);
  });
});
