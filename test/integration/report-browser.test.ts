// The conversation report in a real browser: run cucumber-js (two workers) on the fixture
// features of test/fixtures/report, open the page it wrote in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), check the DOM for bubbles, chips, cards,
// media, the private note, the failing step in place, escaping, filter and search, and save
// a screenshot to reports/conversation-report.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCucumber } from '../support/cucumber.ts';
import { ROOT, type RunResult } from '../support/process.ts';

// Functions passed to page.evaluate run in the browser; the project compiles without the DOM lib.
declare const getComputedStyle: (e: unknown) => { fontStyle: string; backgroundColor: string };
interface ImageElement {
  decode(): Promise<void>;
  naturalWidth: number;
  naturalHeight: number;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'reports', 'conversation-report.png');
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} does not exist: install Debian's chromium (apt-get install -y chromium) to run the conversation report browser test`;
const skip = missing ?? false;

// This is the only test of the report's inline script: under CI (CI=true) a missing browser is a
// failure, not a skip, so a CI image without Chromium cannot pass unnoticed.
test('Chromium is installed (required when CI=true)', { skip: process.env.CI === 'true' ? false : skip }, () => {
  assert.equal(missing, undefined, `${missing} (CI=true: the browser test must run in CI)`);
});

/** cucumber-js on the report fixtures; a short reply timeout: the failing scenario waits for a reply that never comes. */
const runReportFixtures = (reportDir: string): Promise<RunResult> =>
  runCucumber(['--config', 'test/fixtures/report/cucumber.mjs'], { APICHAT_REPORT_DIR: reportDir, APICHAT_REPLY_TIMEOUT_MS: '1500' }, 120_000);

/** Which `conversation.svg` summary of Cucumber's HTML report follows the scenario's name (document order). */
function pictureIndex(html: Page, name: string): Promise<number> {
  return html.evaluate((n) => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
    const all = Array.from(doc.querySelectorAll('h2, h3, h4, summary, span, div'));
    let current = '';
    let index = -1;
    let found = -1;
    for (const el of all) {
      const t = (el.textContent ?? '').trim();
      if (/^Scenario: \S/.test(t) && t.length < 80) current = t; // the heading, not its keyword span alone
      else if (t === 'conversation.svg' && (el as unknown as { tagName: string }).tagName === 'SUMMARY') {
        index++;
        if (current.includes(n) && found < 0) found = index;
      }
    }
    return found;
  }, name);
}

const FAILING = ['Scenario: A reply the bot never sends', 'Scenario: Room prices that changed'];

describe('the conversation report in headless Chromium', { skip, timeout: 240_000 }, () => {
  let dir: string;
  let run: RunResult;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  const texts = (selector: string): Promise<string[]> => page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  const scenario = (name: string): string => `details.scenario[data-name="${name.replace(/["\\]/g, '\\$&')}"]`;
  const visibleScenarios = (): Promise<string[]> => texts('details.scenario:not([hidden]) > summary .name');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apichat-report-browser-'));
    // The browser starts while cucumber runs.
    [run, browser] = await Promise.all([
      runReportFixtures(dir),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(5_000);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'conversations.html')).href, { waitUntil: 'domcontentloaded' });
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('cucumber-js ran the fixtures with two workers, two scenarios failing, and printed the coverage line', () => {
    const context = `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
    assert.equal(run.code, 1, `exit code${context}`);
    assert.match(run.stdout, /^7 scenarios \(2 failed, 5 passed\)$/m, context);
    assert.doesNotMatch(run.stdout, /Attachment \(/, `no attachment lines on the console${context}`);
    assert.match(run.stderr, /^apichat-bdd: buttons exercised: 3 of 11, 1 link button not tappable, \d+ distinct reply texts seen \(never-tapped buttons are listed in .*conversations\.html\)$/m, context);
  });

  test('the page is grouped by feature, failures open, no script error', async () => {
    assert.equal(await page.locator('section.feature').count(), 2);
    assert.equal(await page.locator('details.scenario').count(), 7);
    assert.deepEqual(await texts('details.scenario[open] > summary .name'), FAILING);
    await page.click('#expand-all');
    assert.equal(await page.locator('details.scenario[open]').count(), 7);
    assert.deepEqual(pageErrors, []);
  });

  test('user and bot bubbles in arrival order, buttons as chips with the tapped one marked', async () => {
    const s = page.locator(scenario('Greeting with a menu'));
    assert.deepEqual(await s.locator('.row.user .bubble').evaluateAll((els) => els.map((e) => e.textContent?.trim())), ['hi', 'tapped Help HELP']);
    assert.ok((await s.locator('.row.bot').count()) >= 3);
    const menu = s.locator('.row.bot.kind-buttons');
    assert.deepEqual(await menu.locator('.chip').allTextContents(), ['Rooms', 'Book', '✓ Help', 'Website ↗']);
    assert.deepEqual(await menu.locator('.chip.tapped').allTextContents(), ['✓ Help']);
    assert.equal(await menu.locator('a.chip.link').getAttribute('href'), 'https://example.com/grand-demo-hotel');
    assert.match((await s.locator('.row.bot .meta .since').first().textContent()) ?? '', /^\+\d+(\.\d+)? m?s$/);
    assert.ok(await s.locator('.row.bot .bubble').first().isVisible());
  });

  test('a carousel is a row of cards with images, titles, subtitles and buttons; the private note is greyed and labelled', async () => {
    const s = page.locator(scenario('Booking the suite from the carousel'));
    const cards = s.locator('.cards .card');
    assert.equal(await cards.count(), 3);
    assert.deepEqual(await cards.locator('.card-title').allTextContents(), ['Deluxe', 'Suite', 'Standard']);
    assert.equal(await cards.nth(1).locator('.card-sub').textContent(), 'Separate living room, from $320 a night');
    assert.equal(await cards.nth(1).locator('img').getAttribute('src'), 'https://example.com/rooms/suite.jpg');
    assert.deepEqual(await cards.nth(1).locator('.chip.tapped').allTextContents(), ['✓ Choose']);
    assert.equal(await cards.nth(0).locator('.chip.tapped').count(), 0);
    const boxes = await Promise.all([0, 1, 2].map((i) => cards.nth(i).boundingBox()));
    assert.ok(boxes.every((b, i) => b && (i === 0 || b.x > boxes[i - 1]!.x)), 'cards side by side');
    assert.deepEqual(await s.locator('.row.bot.kind-buttons .chip.tapped').allTextContents(), ['✓ Yes']);
    const note = s.locator('.row.bot.private');
    assert.equal(await note.count(), 1);
    assert.equal(await note.locator('.label').textContent(), 'private note');
    assert.match((await note.locator('.bubble').textContent()) ?? '', /^New booking BK-\d{5} for Bea \(agent note\)\.$/);
    const style = await note.locator('.bubble').evaluate((e) => ({ fontStyle: getComputedStyle(e).fontStyle, background: getComputedStyle(e).backgroundColor }));
    assert.deepEqual(style, { fontStyle: 'italic', background: 'rgb(241, 241, 241)' });
  });

  test('the failing step sits in the chat after the replies of its turn, with expected versus unclaimed', async () => {
    const s = page.locator(scenario('A reply the bot never sends'));
    const order = await s.locator('.chat > .row').evaluateAll((rows) => rows.map((r) => (r.classList.contains('check') ? 'check' : r.classList.contains('user') ? 'user' : 'bot')));
    assert.deepEqual(order, ['user', 'bot', 'bot', 'check']);
    const check = s.locator('.row.check.failed');
    assert.equal(await check.locator('.check-title b').textContent(), 'Then the bot replies "Goodbye!"');
    assert.equal(await check.locator('.expected p').textContent(), 'a reply with the text "Goodbye!"');
    const unclaimed = await check.locator('.received li code').allTextContents();
    assert.equal(unclaimed.length, 2);
    assert.ok(unclaimed.some((u) => u.includes('Hello! I am the Grand Demo Hotel bot.')));
    assert.ok(await check.isVisible());
  });

  test('a failed data-table step shows its table and the diff against the nearest reply', async () => {
    const check = page.locator(`${scenario('Room prices that changed')} .row.check.failed`);
    assert.equal(await check.locator('.check-title b').textContent(), 'Then the carousel has cards:');
    const rows = await check.locator('table.step-table tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
    assert.deepEqual(rows, [
      ['title', 'subtitle'],
      ['Deluxe', 'King bed, sea view, from $190 a night'],
      ['Suite', 'Separate living room, from $320 a night'],
      ['Standard', 'Queen bed, city view, from $110 a night'],
    ]);
    assert.ok(await check.locator('table.step-table').isVisible());
    assert.equal(await check.locator('.diff h5').textContent(), 'Nearest reply: carousel "Our rooms" (3 cards), card 1 differs');
    assert.deepEqual(await check.locator('.diff .del').allTextContents(), ['- expected', '-   subtitle "King bed, sea view, from $190 a night"']);
    assert.deepEqual(await check.locator('.diff .ins').allTextContents(), ['+ actual', '+   subtitle "King bed, sea view, from $180 a night"']);
    assert.ok(await check.locator('.diff').isVisible());
    // The step list beside the chat shows the table under the step as well.
    const step = page.locator(`${scenario('Room prices that changed')} aside.steps li.step.failed`);
    assert.equal(await step.locator('table.step-table tr').count(), 4);
  });

  test("Cucumber's HTML report shows the chat picture right under the failing step, not under the hooks", async () => {
    const html = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await html.goto(pathToFileURL(join(dir, 'cucumber.html')).href, { waitUntil: 'load' });
      const body = await html.locator('body').innerText();
      const section = body.slice(body.indexOf('Room prices that changed'));
      const at = (s: string): number => section.indexOf(s);
      assert.ok(at('Timed out after') > 0 && at('conversation.svg') > at('+   subtitle "King bed, sea view, from $180 a night"'), section.slice(0, 2000));
      const hooks = section.search(/\d+ hooks/);
      assert.ok(hooks > 0 && at('conversation.svg') < hooks, 'the picture sits under the step, above the hooks');
      // One click on it (no "1 hooks" to open first) shows the picture.
      const index = await pictureIndex(html, 'Room prices that changed');
      assert.ok(index >= 0, 'a conversation.svg summary follows the scenario');
      const summary = html.locator('summary', { hasText: 'conversation.svg' }).nth(index);
      await summary.click();
      const img = summary.locator('xpath=..').locator('img');
      assert.ok(await img.isVisible());
      assert.equal(await img.evaluate((el) => (el as unknown as ImageElement).naturalWidth), 640);
    } finally {
      await html.close();
    }
  });

  test('media render as image, video and audio elements and a file link, each with its kind', async () => {
    const s = page.locator(scenario('The bot sends media'));
    assert.equal(await s.locator('figure.media.image img').getAttribute('src'), 'https://example.com/grand-demo-hotel/lobby.jpg');
    assert.equal(await s.locator('.media.video video').getAttribute('src'), 'https://example.com/grand-demo-hotel/tour.mp4');
    assert.equal(await s.locator('.media.audio audio').getAttribute('src'), 'https://example.com/grand-demo-hotel/jingle.mp3');
    assert.equal(await s.locator('.media.file a').getAttribute('href'), 'https://example.com/grand-demo-hotel/brochure.pdf');
    assert.deepEqual(await s.locator('.media .kind').allTextContents(), ['image', 'video', 'audio', 'file']);
  });

  test('what the bot and the steps sent is text: <script> shows as written, no dialog, no injected element', async () => {
    const s = page.locator(scenario('A reply that looks like <b>HTML</b>'));
    assert.equal(await s.count(), 1);
    assert.equal(await s.locator('summary b').count(), 0);
    assert.equal(await s.locator('.row.bot .bubble').textContent(), '<script>alert(1)</script>');
    assert.equal(await s.locator('.conv-head b').textContent(), 'Eve <img src=x onerror=alert(2)>');
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.equal(scripts.length, 2);
    assert.ok(scripts.every((t) => !t.includes('alert(')));
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
  });

  test('an unknown delivery is shown raw', async () => {
    const s = page.locator(scenario('A delivery of an unknown shape'));
    assert.equal(await s.locator('.unknown-label').textContent(), 'unknown delivery');
    const raw = (await s.locator('pre.raw').textContent()) ?? '';
    assert.ok(raw.includes('"type": "location"') && raw.includes('"title": "Grand Demo Hotel"'), raw);
  });

  test('the status filter and the search narrow the scenarios', async () => {
    await page.click('button[data-filter="failed"]');
    assert.deepEqual(await visibleScenarios(), FAILING);
    assert.equal(await page.locator('section.feature:not([hidden])').count(), 1);
    assert.equal(await page.locator('button[data-filter="failed"]').getAttribute('aria-pressed'), 'true');
    await page.click('button[data-filter="passed"]');
    assert.equal((await visibleScenarios()).length, 5);
    await page.click('button[data-filter="all"]');
    assert.equal((await visibleScenarios()).length, 7);

    await page.fill('#search', 'booking the suite');
    assert.deepEqual(await visibleScenarios(), ['Scenario: Booking the suite from the carousel']);
    assert.equal(await page.textContent('#shown-count'), '1');
    await page.fill('#search', 'MEDIA brochure');
    assert.deepEqual(await visibleScenarios(), ['Scenario: The bot sends media']);
    // What the bot said is searchable too: texts no step mentions, card subtitles, private notes.
    await page.fill('#search', 'would you like');
    assert.deepEqual(await visibleScenarios(), ['Scenario: Greeting with a menu', 'Scenario: A reply the bot never sends']);
    await page.fill('#search', 'agent note');
    assert.deepEqual(await visibleScenarios(), ['Scenario: Booking the suite from the carousel']);
    await page.fill('#search', 'sea view, from $180');
    assert.deepEqual(await visibleScenarios(), ['Scenario: Booking the suite from the carousel', 'Scenario: Room prices that changed']);
    // and the data tables of steps
    await page.fill('#search', 'from $190');
    assert.deepEqual(await visibleScenarios(), ['Scenario: Room prices that changed']);
    await page.fill('#search', 'no such thing');
    assert.equal((await visibleScenarios()).length, 0);
    assert.ok(await page.locator('#no-match').isVisible());
    await page.fill('#search', '');
    assert.equal((await visibleScenarios()).length, 7);
    assert.ok(!(await page.locator('#no-match').isVisible()));
  });

  test('the coverage section lists the buttons no scenario tapped', async () => {
    assert.equal(await page.textContent('#cov-exercised'), '3 of 11');
    const rows = await page.locator('table.buttons.untapped tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent?.trim())));
    assert.equal(rows.length, 8);
    assert.deepEqual(rows[0], ['What would you like to do?', '—', 'Rooms', 'ROOMS']);
    assert.ok(rows.some((r) => r.join('|') === 'Our rooms|Deluxe|Choose|CHOOSE_DELUXE'));
    assert.ok(!rows.some((r) => r[3] === 'HELP' || r[3] === 'CHOOSE_SUITE' || r[3] === 'CONFIRM_YES'));
  });

  test('each scenario carries its chat as a base64 SVG image, which a browser decodes', async () => {
    const envelopes = readFileSync(join(dir, 'messages.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { attachment?: { mediaType: string; contentEncoding: string; fileName?: string; body: string } });
    const svgs = envelopes.flatMap((e) => (e.attachment?.mediaType === 'image/svg+xml' ? [e.attachment] : []));
    assert.equal(svgs.length, 7);
    assert.ok(svgs.every((a) => a.contentEncoding === 'BASE64' && a.fileName === 'conversation.svg'));
    // Cucumber's HTML report embeds the same attachment (and shows BASE64 images as <img src="data:…">).
    assert.ok(readFileSync(join(dir, 'cucumber.html'), 'utf8').includes(svgs[0]!.body.slice(0, 200)));
    const failing = svgs.find((a) => Buffer.from(a.body, 'base64').toString().includes('A reply the bot never sends'))!;
    const probe = await browser.newPage();
    try {
      await probe.setContent(`<img id="chat" src="data:image/svg+xml;base64,${failing.body}">`);
      const size = await probe.locator('#chat').evaluate(async (el) => {
        const img = el as unknown as ImageElement;
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      });
      assert.equal(size[0], 640);
      assert.ok(size[1]! > 200);
    } finally {
      await probe.close();
    }
  });

  test('a screenshot of the whole page is saved to reports/conversation-report.png', async () => {
    await page.click('#expand-all');
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(png.length > 50_000);
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  });
});
