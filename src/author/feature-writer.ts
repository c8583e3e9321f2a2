// Gherkin text from a FeatureDoc, in the verbatim step phrases of docs/phrases.md (the
// public contract), so a written feature runs with the package's own steps. Quoting follows what the
// parameter types undo: {string} unescapes \" only; a button list ({strings}) also \\;
// table cells use Gherkin's \| \\ \n; a /regex/ needs no quoting (escapeRegex made it literal).
import type { CardCheck, FeatureDoc, LinkCheck, NoteCheck, ReplyCheck, ScenarioDoc, ScenarioTurn, TextCheck } from './model.ts';
import type { Action } from './observe.ts';

/** "text" for a {string} parameter: only a double quote needs escaping. */
export function quote(s: string): string {
  return `"${s.replace(/"/g, '\\"')}"`;
}

/** One item of a quoted list ({strings}): backslashes and double quotes escaped. */
export function quoteListItem(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

export function tableCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n');
}

const MEDIA_ARTICLE = { image: 'an image', audio: 'an audio', video: 'a video', file: 'a file' } as const;

export function actionStep(a: Action): string {
  if (a.kind === 'say') return `the user says ${quote(a.text)}`;
  if (a.kind === 'tap') return `the user taps ${quote(a.title)}${a.card === undefined ? '' : ` on card ${quote(a.card)}`}`;
  return `the user sends ${MEDIA_ARTICLE[a.media]} ${quote(a.url)}`;
}

function textStep(t: TextCheck): string {
  return 'exact' in t ? `the bot replies ${quote(t.exact)}` : `the bot replies matching /${t.regex}/`;
}

/** A carousel's cards as a table, or null when a cell could not say it (a comma inside a button title). */
function cardTable(cards: CardCheck[]): string[] | null {
  if (cards.some((c) => c.buttons.some((b) => b.includes(',') || b.trim() !== b) || /\{\{/.test(c.title + c.subtitle + c.buttons.join('')))) return null;
  // A column only where some card has a value; an empty cell then says "this card has none".
  const columns = (['title', 'subtitle', 'buttons', 'image', 'url'] as const).filter((k) => k === 'title' || cards.some((c) => c[k].length > 0));
  const rows: string[][] = [[...columns]];
  for (const c of cards) rows.push(columns.map((k) => tableCell(k === 'buttons' ? c.buttons.join(', ') : c[k])));
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => `| ${r.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)).join(' | ')} |`);
}

/** The step lines of one check (the first gets Then/And from the caller); table rows start with '|'. */
export function checkLines(c: ReplyCheck): string[] {
  switch (c.kind) {
    case 'text':
      return [textStep(c.text)];
    case 'buttons': {
      const structure = `the bot shows buttons ${c.titles.map(quoteListItem).join(', ')}`;
      if (c.text === null) return [structure, ...linkSteps(c.links)];
      return [...(c.structureFirst ? [structure, textStep(c.text)] : [textStep(c.text), structure]), ...linkSteps(c.links)];
    }
    case 'carousel': {
      const table = c.cards ? cardTable(c.cards) : null;
      const structure = table ? ['the carousel has cards:', ...table] : [`the bot shows a carousel with ${c.count} card${c.count === 1 ? '' : 's'}`];
      if (c.text === null) return [...structure, ...linkSteps(c.links)];
      return [...(c.structureFirst ? [...structure, textStep(c.text)] : [textStep(c.text), ...structure]), ...linkSteps(c.links)];
    }
    case 'media':
      return [`the bot sends ${MEDIA_ARTICLE[c.media]}${c.urlPart ? ` containing ${quote(c.urlPart)}` : ''}`];
    case 'unknown':
      return [`# the bot also sends a message of a shape no step checks: ${oneLine(c.summary)}`];
  }
}

/** Link steps look at the message the step before them checked: they follow its other steps. */
function linkSteps(links: LinkCheck[] | undefined): string[] {
  return (links ?? []).filter((l) => !/\{\{/.test(l.title + l.url)).map((l) => `the bot shows a link button ${quote(l.title)} to ${quote(l.url)}`);
}

function noteLine(n: NoteCheck): string {
  if (n.mode === 'comment' || /\{\{(?![A-Za-z_][\w.]*\}\})/.test(n.value) || n.value.includes('\n')) return `# private note (not a reply): ${oneLine(n.value)}`;
  return n.mode === 'exact' ? `the bot adds a private note ${quote(n.value)}` : `the bot adds a private note containing ${quote(n.value)}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

function turnLines(turn: ScenarioTurn, last: boolean): string[] {
  const lines = [`When ${actionStep(turn.action)}`];
  let keyword = 'Then';
  const step = (text: string): void => {
    if (text.startsWith('|')) lines.push(`  ${text}`);
    else if (text.startsWith('#')) lines.push(text);
    else {
      lines.push(`${keyword} ${text}`);
      keyword = 'And';
    }
  };
  for (const c of turn.checks) for (const l of checkLines(c)) step(l);
  for (const n of turn.notes) step(noteLine(n));
  // An unknown shape stays unclaimed, so "nothing more" cannot be said after it.
  const unclaimable = turn.checks.some((c) => c.kind === 'unknown');
  if ((last || turn.checks.length === 0) && !unclaimable) step('the bot says nothing more');
  return lines;
}

export function scenarioLines(s: ScenarioDoc): string[] {
  const tags = s.tags?.length ? [`  ${s.tags.map((t) => `@${t}`).join(' ')}`] : [];
  const lines = [...(s.comments ?? []).map((c) => `  # ${oneLine(c)}`), ...tags, `  Scenario: ${oneLine(s.name)}`, `    Given ${s.given ?? 'a new conversation'}`];
  s.turns.forEach((t, i) => lines.push(...turnLines(t, i === s.turns.length - 1).map((l) => `    ${l}`)));
  return lines;
}

export function renderFeature(doc: FeatureDoc): string {
  const out = [`Feature: ${oneLine(doc.name)}`, ...doc.description.map((d) => `  ${oneLine(d)}`)];
  for (const s of doc.scenarios) out.push('', ...scenarioLines(s));
  return `${out.join('\n')}\n`;
}
