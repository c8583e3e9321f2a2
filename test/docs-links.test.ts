// README.md is the front door and docs/ the manual: every relative link between them, and every
// #anchor, must land on a file that exists and a heading it has (GitHub's slug of the heading).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsOf, isExternal, linksOf, slug, withoutCode } from './support/markdown-links.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return markdownUnder(path);
    return e.name.endsWith('.md') ? [path] : [];
  });
}

const PAGES = [join(ROOT, 'README.md'), ...markdownUnder(join(ROOT, 'docs'))];
const anchorCache = new Map<string, Set<string>>();
const anchorsIn = (file: string): Set<string> => {
  let a = anchorCache.get(file);
  if (!a) anchorCache.set(file, (a = anchorsOf(readFileSync(file, 'utf8'))));
  return a;
};

/** Why a link from `page` does not resolve, or undefined when it does. */
function brokenBecause(page: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash)).split('?')[0]!;
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = pathPart === '' ? page : resolve(dirname(page), pathPart);
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor === undefined || anchor === '' || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  if (anchorsIn(file).has(anchor)) return undefined;
  return `${relative(ROOT, file)} has no heading with the anchor #${anchor}`;
}

describe('docs links', () => {
  it('README.md and docs/*.md: every relative link and #anchor resolves', () => {
    assert.ok(PAGES.length > 5, `expected README.md and the docs/ pages, found ${PAGES.map((p) => relative(ROOT, p)).join(', ')}`);
    const broken: string[] = [];
    let checked = 0;
    for (const page of PAGES) {
      for (const { line, target } of linksOf(readFileSync(page, 'utf8'))) {
        if (isExternal(target)) continue;
        checked++;
        const why = brokenBecause(page, target);
        if (why) broken.push(`${relative(ROOT, page)}:${line}: (${target}) — ${why}`);
      }
    }
    assert.ok(checked > 50, `only ${checked} relative links found: is the link extraction broken?`);
    assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
  });

  it('README.md links to every page of the manual', () => {
    const readme = linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]);
    const unlisted = markdownUnder(join(ROOT, 'docs'))
      .map((p) => relative(ROOT, p).replaceAll('\\', '/'))
      .filter((p) => !readme.includes(p));
    assert.deepEqual(unlisted, [], 'add these pages to the table of contents in README.md');
  });
});

describe('the link check itself', () => {
  it('finds inline links, images, links with titles and reference definitions, with their lines', () => {
    const md = [
      'See [the manual](docs/a.md#part-one) and ![a picture](docs/p.png "the title").',
      '[x](<docs/with space.md>) and [y](b.md \'t\') and [z](c.md (t)) and [w](https://example.com)',
      '',
      '[ref]: docs/ref.md#anchor',
      '<a href="docs/html.md">html</a> <img src="docs/i.png">',
    ].join('\n');
    assert.deepEqual(linksOf(md), [
      { line: 1, target: 'docs/a.md#part-one' },
      { line: 1, target: 'docs/p.png' },
      { line: 2, target: 'docs/with space.md' },
      { line: 2, target: 'b.md' },
      { line: 2, target: 'c.md' },
      { line: 2, target: 'https://example.com' },
      { line: 4, target: 'docs/ref.md#anchor' },
      { line: 5, target: 'docs/html.md' },
      { line: 5, target: 'docs/i.png' },
    ]);
  });

  it('ignores links in fenced code blocks, code spans and comments, and keeps line numbers', () => {
    const md = [
      '```md',
      '[not a link](nowhere.md)',
      '```',
      '   ~~~~',
      '[nor this](nowhere.md)',
      '   ~~~~',
      'Text `[code](nowhere.md)` and ``[two `ticks`](nowhere.md)`` <!-- [comment](nowhere.md) -->',
      '[real](here.md)',
    ].join('\n');
    assert.deepEqual(linksOf(md), [{ line: 8, target: 'here.md' }]);
    assert.equal(withoutCode(md).split('\n').length, 8);
  });

  it('makes GitHub\'s anchors: punctuation dropped, code kept, repeats numbered, setext headings too', () => {
    assert.equal(slug('Use it in your bot\'s repository'), 'use-it-in-your-bots-repository');
    assert.equal(slug('Checking a live setup: `apichat-bdd doctor`'), 'checking-a-live-setup-apichat-bdd-doctor');
    assert.equal(slug('If a run is killed (SIGKILL)'), 'if-a-run-is-killed-sigkill');
    assert.equal(slug('Variables `{{name}}` and *emphasis* with [a link](x.md)'), 'variables-name-and-emphasis-with-a-link');
    assert.equal(slug('`APICHAT_SETTLE_MS` and snake_case'), 'apichat_settle_ms-and-snake_case');
    const anchors = anchorsOf(['# Title', '## Notes', '## Notes', 'Setext', '------', '```', '# not a heading', '```', '<a id="custom"></a>'].join('\n'));
    assert.deepEqual([...anchors].sort(), ['custom', 'notes', 'notes-1', 'setext', 'title']);
  });
});
