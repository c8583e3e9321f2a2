// The crawler against scripted bots played in-process by BotEngine (no sockets): the visit
// function turns each action into the engine's replies, normalised as the listener files them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crawl, formatCrawlSummary, groupIntoFiles, renderFeature, type Action, type ObservedTurn } from '../../src/author/index.ts';
import { buttonsOf, normalise, type UserAction } from '../../src/protocol/index.ts';
import { BotEngine, DEMO_BOT_PATH, loadBotFile, renderReply, type BotDefinition } from '../../src/simulator/index.ts';

function inProcessVisit(bot: BotDefinition, sent: Action[][] = []): (actions: Action[]) => Promise<ObservedTurn[]> {
  const engine = new BotEngine(bot);
  let users = 0;
  return async (actions) => {
    sent.push(actions);
    const user = { id: `u${++users}`, name: 'Test User' };
    const turns: ObservedTurn[] = [];
    for (const action of actions) {
      let ua: UserAction;
      if (action.kind === 'say') ua = { kind: 'text', text: action.text };
      else if (action.kind === 'send') ua = { kind: action.media, url: action.url };
      else {
        const offered = turns.flatMap((t) => t.replies).flatMap(buttonsOf).reverse().find((b) => b.button.title === action.title && b.card?.title === action.card);
        if (!offered) throw new Error(`no button ${action.title}`);
        ua = { kind: 'postback', title: action.title, payload: offered.button.payload ?? action.title };
      }
      const msgs = engine.respond(user, ua).replies.map((r) => normalise(renderReply(r, { sender_id: user.id, conv_id: 1 })));
      turns.push({ action, replies: msgs.filter((m) => !m.private), notes: msgs.filter((m) => m.private) });
    }
    return turns;
  };
}

const titles = (r: Awaited<ReturnType<typeof crawl>>): string[] => r.scenarios.map((s) => s.doc.name);

describe('crawl (breadth-first over postback buttons)', () => {
  test('the demo bot to depth 3: every reachable postback button tapped, repeats cut, volatile reference generalised', async () => {
    const r = await crawl({ starts: ['hi'], depth: 3, maxConversations: 200, visit: inProcessVisit(await loadBotFile(DEMO_BOT_PATH)) });
    assert.deepEqual(r.problems, []);
    assert.equal(r.stats.buttonsFound, 11);
    assert.equal(r.stats.buttonsTapped, 11);
    assert.equal(r.stats.linkButtons, 1);
    assert.equal(r.stats.cyclesCut, 3, 'the carousel again after Book; Yes/No again after Suite and Standard');
    assert.equal(r.stats.volatile, 1);
    assert.equal(r.stats.conversations, 2 * r.stats.paths);
    assert.deepEqual(titles(r).slice(0, 5), ['"hi"', '"hi", Rooms', '"hi", Book', '"hi", Help', '"hi", Rooms, Choose on Deluxe']);
    assert.ok(titles(r).includes('"hi", Rooms, Choose on Deluxe, Yes'));
    const files = groupIntoFiles(r.scenarios, 3);
    assert.deepEqual(files.map((f) => f.name), ['hi.feature', 'hi--rooms.feature', 'hi--book.feature', 'hi--help.feature']);
    const rooms = renderFeature(files[1]!.doc);
    assert.match(rooms, /Then the bot replies matching \/\^Your booking reference is \(\?<reference>BK-\\d\+\)\\\.\$\/\n    And the bot adds a private note "New booking \{\{reference\}\} for Test User \(agent note\)\."\n    And the bot says nothing more/);
    assert.equal(
      formatCrawlSummary(r.stats, files.length),
      'apichat-bdd crawl: 12 paths, 12 scenarios written in 4 files, postback buttons: 11 found, 11 tapped, 1 link button not followed, 3 cycles cut, 1 volatile reply generalised',
    );
  });

  test('visiting several paths at once crawls exactly what one at a time does', async () => {
    const bot = await loadBotFile(DEMO_BOT_PATH);
    const one = await crawl({ starts: ['hi', 'rooms'], depth: 3, maxConversations: 200, parallel: 1, visit: inProcessVisit(bot) });
    const four = await crawl({ starts: ['hi', 'rooms'], depth: 3, maxConversations: 200, parallel: 4, visit: inProcessVisit(bot) });
    assert.deepEqual(titles(four), titles(one));
    assert.deepEqual(four.stats, one.stats);
  });

  test('depth 0 visits only the start messages; buttons beyond the depth are counted, not tapped', async () => {
    const r = await crawl({ starts: ['hi', 'menu'], depth: 0, maxConversations: 200, visit: inProcessVisit(await loadBotFile(DEMO_BOT_PATH)) });
    assert.deepEqual(titles(r), ['"hi"', '"menu"']);
    assert.equal(r.stats.buttonsTapped, 0);
    assert.equal(r.stats.beyondDepth, 3);
  });

  test('a cycle (a button leading back to a message already seen) is cut', async () => {
    const loop: BotDefinition = {
      rules: [
        { match: { text: 'start' }, replies: [{ buttons: { text: 'Home', buttons: [{ title: 'Next', payload: 'NEXT' }] } }] },
        { match: { payload: 'NEXT' }, replies: [{ buttons: { text: 'Page 2', buttons: [{ title: 'Back', payload: 'BACK' }] } }] },
        { match: { payload: 'BACK' }, replies: [{ buttons: { text: 'Home', buttons: [{ title: 'Next', payload: 'NEXT' }] } }] },
      ],
    };
    const r = await crawl({ starts: ['start'], depth: 8, maxConversations: 200, visit: inProcessVisit(loop) });
    assert.deepEqual(titles(r), ['"start"', '"start", Next', '"start", Next, Back']);
    assert.equal(r.stats.cyclesCut, 1);
  });

  test('never more conversations than --max-conversations; what is left is reported', async () => {
    const sent: Action[][] = [];
    const r = await crawl({ starts: ['hi'], depth: 3, maxConversations: 7, visit: inProcessVisit(await loadBotFile(DEMO_BOT_PATH), sent) });
    assert.equal(sent.length, 6, 'two visits per path, and a third path would need 8');
    assert.equal(r.stats.paths, 3);
    assert.ok(r.stats.leftOver > 0);
    assert.match(formatCrawlSummary(r.stats, 1), /stopped by --max-conversations with \d+ paths left/);
  });

  test('a silent bot is recorded as silence; a bot that answers differently each visit is skipped as unstable', async () => {
    const silent = await crawl({ starts: ['hi'], depth: 3, maxConversations: 200, visit: inProcessVisit({ rules: [] }) });
    assert.equal(silent.scenarios.length, 1);
    assert.match(renderFeature(groupIntoFiles(silent.scenarios, 3)[0]!.doc), /When the user says "hi"\n    Then the bot says nothing more\n$/);
    let n = 0;
    const flaky = await crawl({
      starts: ['hi'],
      depth: 1,
      maxConversations: 200,
      visit: async (actions) => actions.map((action) => ({ action, replies: n++ % 2 ? [] : [normalise({ sender_id: 'u', conv_id: 1, message_type: 'outgoing', type: 'text', text: 'x' })], notes: [] })),
    });
    assert.equal(flaky.stats.unstable, 1);
    assert.equal(flaky.scenarios.length, 0);
    assert.match(flaky.problems[0]!, /^"hi": turn 1 answered differently on a second visit/);
  });
});
