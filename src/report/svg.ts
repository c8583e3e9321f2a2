// The chat drawn as a standalone SVG image (no external references, fonts from the system), so
// Cucumber's own HTML report, which shows image attachments inline, displays the conversation
// too. Text widths are estimated (no layout engine here); every string is XML-escaped.
import type { TranscriptData } from '../conversation/transcript.ts';
import { renderCompact, type BotMessage, type Button, type UserAction } from '../protocol/index.ts';
import { chatItems, formatSince, simulationLines, type BotItem, type CheckItem, type SimulationItem, type UserItem, type VerdictItem } from './chat.ts';
import { escapeXml as x, truncate } from './escape.ts';

export interface SvgOptions {
  /** Heading above the chat, e.g. the scenario name. */
  title?: string;
  /** passed / failed …: colours the heading. */
  status?: string;
  width?: number;
}

const FONT = 13;
const LINE = 18;
const PAD = 16;
const BUBBLE_PAD = 9;
const CHIP_H = 22;
const CARD_W = 160;
const GAP = 8;
const COLORS = { bg: '#eef1f6', user: '#2f6fde', bot: '#ffffff', line: '#d5dae3', muted: '#6b7385', fg: '#1d2330', chip: '#eef3fd', chipFg: '#2453a8', pass: '#1f8a4c', fail: '#c62f3b' };

/** Estimated advance width of `s` at `size` px in a common sans-serif. */
export function textWidth(s: string, size = FONT): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp > 0x2e80) w += 1.0;
    else if ('iIl.,:;|!\'’ '.includes(ch)) w += 0.3;
    else if ('mwMW@%'.includes(ch)) w += 0.85;
    else if (ch >= 'A' && ch <= 'Z') w += 0.68;
    else w += 0.57;
  }
  return w * size;
}

/** Greedy word wrap to `max` px; hard newlines kept; over-long words broken. */
export function wrap(text: string, max: number, size = FONT): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/(?<=\s)/)) {
      if (textWidth(line + word, size) <= max) {
        line += word;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      line = '';
      let w = word;
      while (textWidth(w, size) > max) {
        let n = w.length;
        while (n > 1 && textWidth(w.slice(0, n), size) > max) n--;
        out.push(w.slice(0, n));
        w = w.slice(n);
      }
      line = w;
    }
    out.push(line.trimEnd());
  }
  return out;
}

class Canvas {
  readonly parts: string[] = [];
  y = PAD;
  constructor(readonly width: number) {}
  rect(px: number, py: number, w: number, hh: number, attrs: string): void {
    this.parts.push(`<rect x="${r(px)}" y="${r(py)}" width="${r(w)}" height="${r(hh)}" ${attrs}/>`);
  }
  text(px: number, py: number, s: string, attrs = ''): void {
    this.parts.push(`<text x="${r(px)}" y="${r(py)}"${attrs ? ` ${attrs}` : ''}>${x(s)}</text>`);
  }
  lines(px: number, py: number, lines: string[], attrs = '', lh = LINE): void {
    lines.forEach((l, i) => this.text(px, py + i * lh, l, attrs));
  }
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function renderConversationSvg(t: TranscriptData, o: SvgOptions = {}): string {
  const width = o.width ?? 640;
  const c = new Canvas(width);
  const maxBubble = Math.round(width * 0.68);
  if (o.title) {
    const colour = o.status === 'passed' ? COLORS.pass : o.status && o.status !== 'skipped' ? COLORS.fail : COLORS.fg;
    const lines = wrap(o.title, width - 2 * PAD, 15);
    c.lines(PAD, c.y + 14, lines, `font-size="15" font-weight="600" fill="${colour}"`, 20);
    c.y += lines.length * 20 + 4;
  }
  c.text(width / 2, c.y + 11, truncate(`Conversation with ${t.name} · ${t.senderId} · conversation_id ${t.conversationId}`, 100), `font-size="11" fill="${COLORS.muted}" text-anchor="middle"`);
  c.y += 24;
  const items = chatItems(t);
  if (items.length === 0) {
    c.text(width / 2, c.y + 12, 'no messages', `font-size="12" fill="${COLORS.muted}" text-anchor="middle"`);
    c.y += 24;
  }
  for (const item of items) {
    if (item.type === 'user') drawUser(c, item, maxBubble);
    else if (item.type === 'bot') drawBot(c, item, maxBubble);
    else if (item.type === 'simulation') drawSimulation(c, item, width);
    else if (item.type === 'verdict') drawVerdict(c, item);
    else if (!item.ok) drawCheck(c, item);
    c.y += GAP;
  }
  const height = Math.ceil(c.y + PAD - GAP);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif" font-size="${FONT}">
<title>${x(o.title ? `${o.title}: conversation` : `Conversation with ${t.name}`)}</title>
<rect width="100%" height="100%" fill="${COLORS.bg}"/>
${c.parts.join('\n')}
</svg>
`;
}

function userText(a: UserAction): string {
  switch (a.kind) {
    case 'text':
      return a.text;
    case 'postback':
      return `tapped “${a.title}”${a.payload !== a.title ? ` (${a.payload})` : ''}`;
    default:
      return `sent ${/^[aeiou]/.test(a.kind) ? 'an' : 'a'} ${a.kind}: ${a.url}`;
  }
}

function drawUser(c: Canvas, u: UserItem, max: number): void {
  const lines = wrap(userText(u.action), max - 2 * BUBBLE_PAD);
  const w = Math.max(...lines.map((l) => textWidth(l))) + 2 * BUBBLE_PAD + (u.action.kind === 'postback' ? 6 : 0);
  const hh = lines.length * LINE + 2 * BUBBLE_PAD - 4;
  const left = c.width - PAD - w;
  c.rect(left, c.y, w, hh, `rx="12" fill="${COLORS.user}"`);
  c.lines(left + BUBBLE_PAD, c.y + BUBBLE_PAD + 10, lines, `fill="#fff"${u.action.kind === 'postback' ? ' font-style="italic"' : ''}`);
  c.y += hh + 2;
  c.text(c.width - PAD - 2, c.y + 10, `turn ${u.turn}`, `font-size="10.5" fill="${COLORS.muted}" text-anchor="end"`);
  c.y += 13;
}

interface ChipLayout {
  b: Button;
  tapped: boolean;
  x: number;
  y: number;
  w: number;
}

function layoutChips(buttons: Button[], offset: number, tapped: number[], max: number): { chips: ChipLayout[]; width: number; height: number } {
  const chips: ChipLayout[] = [];
  let cx = 0;
  let cy = 0;
  let width = 0;
  buttons.forEach((b, i) => {
    const isTapped = tapped.includes(offset + i);
    const label = chipLabel(b, isTapped);
    const w = Math.min(max, textWidth(label, 12) + 20);
    if (cx > 0 && cx + w > max) {
      cx = 0;
      cy += CHIP_H + 5;
    }
    chips.push({ b, tapped: isTapped, x: cx, y: cy, w });
    cx += w + 5;
    width = Math.max(width, cx - 5);
  });
  return { chips, width, height: buttons.length ? cy + CHIP_H : 0 };
}

function chipLabel(b: Button, tapped: boolean): string {
  const link = (b.type ?? 'postback') !== 'postback';
  return `${tapped ? '✓ ' : ''}${b.title}${link ? ' ↗' : ''}`;
}

function drawChips(c: Canvas, chips: ChipLayout[], ox: number, oy: number, max: number): void {
  for (const ch of chips) {
    const link = (ch.b.type ?? 'postback') !== 'postback';
    const fill = ch.tapped ? COLORS.chipFg : link ? '#fff' : COLORS.chip;
    c.rect(ox + ch.x, oy + ch.y, ch.w, CHIP_H, `rx="11" fill="${fill}" stroke="${ch.tapped ? COLORS.chipFg : '#c9d7f4'}"${link ? ' stroke-dasharray="3 2"' : ''}`);
    const label = truncateToWidth(chipLabel(ch.b, ch.tapped), max - 20, 12);
    c.text(ox + ch.x + ch.w / 2, oy + ch.y + 15, label, `font-size="12" text-anchor="middle" fill="${ch.tapped ? '#fff' : COLORS.chipFg}"${ch.tapped ? ' font-weight="600"' : ''}`);
  }
}

function truncateToWidth(s: string, max: number, size: number): string {
  if (textWidth(s, size) <= max) return s;
  let n = s.length;
  while (n > 1 && textWidth(`${s.slice(0, n)}…`, size) > max) n--;
  return `${s.slice(0, n)}…`;
}

function drawBot(c: Canvas, b: BotItem, max: number): void {
  const m = b.message;
  const left = PAD;
  if (m.private) {
    c.text(left + 2, c.y + 10, 'PRIVATE NOTE', `font-size="9.5" letter-spacing="0.6" fill="${COLORS.muted}"`);
    c.y += 14;
  }
  if (m.kind === 'carousel') drawCarousel(c, m, b.tapped, max);
  else drawBubble(c, m, b.tapped, max);
  const meta = `${formatSince(b.sinceActionMs)}${b.claimedBy ? `  ✓ ${b.claimedBy}` : m.private ? '' : '  (not claimed by any step)'}`;
  c.text(left + 3, c.y + 12, truncateToWidth(meta, c.width - 2 * PAD, 10.5), `font-size="10.5" fill="${b.claimedBy ? COLORS.pass : COLORS.muted}"`);
  c.y += 16;
}

function bubbleStyle(m: BotMessage): { fill: string; stroke: string; text: string; extra: string } {
  if (m.private) return { fill: '#f1f1f1', stroke: '#bdbdbd', text: '#6d6d6d', extra: ' stroke-dasharray="4 3"' };
  if (m.kind === 'unknown') return { fill: '#fffaf0', stroke: '#f0d9a8', text: COLORS.fg, extra: '' };
  return { fill: COLORS.bot, stroke: COLORS.line, text: COLORS.fg, extra: '' };
}

function drawBubble(c: Canvas, m: Exclude<BotMessage, { kind: 'carousel' }>, tapped: number[], max: number): void {
  const inner = max - 2 * BUBBLE_PAD;
  const st = bubbleStyle(m);
  const body: Array<(ox: number, oy: number) => void> = [];
  let hh = 0;
  let w = 0;
  const addLines = (lines: string[], attrs: string, lh = LINE, size = FONT): void => {
    const top = hh;
    w = Math.max(w, ...lines.map((l) => textWidth(l, size)));
    body.push((ox, oy) => c.lines(ox, oy + top + 13, lines, attrs, lh));
    hh += lines.length * lh;
  };
  const italic = m.private ? ' font-style="italic"' : '';
  switch (m.kind) {
    case 'text':
      addLines(wrap(m.text, inner), `fill="${st.text}"${italic}`);
      break;
    case 'buttons': {
      if (m.text) addLines(wrap(m.text, inner), `fill="${st.text}"${italic}`);
      const lay = layoutChips(m.buttons, 0, tapped, inner);
      const top = hh + 4;
      body.push((ox, oy) => drawChips(c, lay.chips, ox, oy + top, inner));
      hh = top + lay.height;
      w = Math.max(w, lay.width);
      break;
    }
    case 'unknown': {
      addLines(['UNKNOWN DELIVERY'], `font-size="9.5" letter-spacing="0.6" fill="#7a5a00"`, 14, 9.5);
      addLines(wrap(m.reason, inner, 12), `font-size="12" fill="#7a5a00"`, 16, 12);
      const raw = JSON.stringify(m.raw, null, 1) ?? String(m.raw);
      const all = raw.split('\n').map((l) => l.trim()).flatMap((l) => wrap(l, inner, 11.5 * 1.1));
      const rawLines = all.length > 8 ? [...all.slice(0, 7), `… ${all.length - 7} more line${all.length - 7 === 1 ? '' : 's'}`] : all;
      addLines(rawLines, `font-size="11" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" fill="${COLORS.fg}"`, 15, 11 * 1.1);
      break;
    }
    default: {
      // image / audio / video / file
      const icon = m.kind === 'image' ? '▣' : m.kind === 'audio' ? '♪' : m.kind === 'video' ? '▶' : '▤';
      if (m.kind === 'image' || m.kind === 'video') {
        const top = hh;
        const pw = Math.min(inner, 220);
        body.push((ox, oy) => {
          c.rect(ox, oy + top + 2, pw, 100, `rx="6" fill="${m.kind === 'video' ? '#2b2f38' : '#e6e9f0'}"`);
          c.text(ox + pw / 2, oy + top + 58, `${icon} ${m.kind}`, `font-size="14" text-anchor="middle" fill="${m.kind === 'video' ? '#fff' : COLORS.muted}"`);
        });
        hh += 108;
        w = Math.max(w, pw);
      } else addLines([`${icon} ${m.kind}`], `font-weight="600" fill="${st.text}"`);
      addLines(wrap(m.url, inner, 12), `font-size="12" fill="${COLORS.chipFg}"`, 16, 12);
    }
  }
  const bw = Math.min(max, w + 2 * BUBBLE_PAD);
  const bh = hh + 2 * BUBBLE_PAD - 2;
  c.rect(PAD, c.y, bw, bh, `rx="12" fill="${st.fill}" stroke="${st.stroke}"${st.extra}`);
  for (const draw of body) draw(PAD + BUBBLE_PAD, c.y + BUBBLE_PAD - 2);
  c.y += bh + 1;
}

function drawCarousel(c: Canvas, m: Extract<BotMessage, { kind: 'carousel' }>, tapped: number[], max: number): void {
  if (m.text) drawBubble(c, { ...m, kind: 'text', text: m.text } as Extract<BotMessage, { kind: 'text' }>, [], max);
  c.y += 4;
  const perRow = Math.max(1, Math.floor((c.width - 2 * PAD + GAP) / (CARD_W + GAP)));
  let offset = 0;
  const layouts = m.cards.map((card) => {
    const inner = CARD_W - 16;
    const title = wrap(card.title, inner, 13).slice(0, 2);
    const sub = card.subtitle ? wrap(card.subtitle, inner, 11.5).slice(0, 3) : [];
    const chips = layoutChips(card.buttons ?? [], offset, tapped, inner);
    offset += card.buttons?.length ?? 0;
    const img = card.image_url ? 70 : 0;
    const hh = img + 8 + title.length * 17 + sub.length * 15 + (chips.height ? chips.height + 8 : 0) + 8;
    return { card, title, sub, chips, img, hh };
  });
  for (let i = 0; i < layouts.length; i += perRow) {
    const row = layouts.slice(i, i + perRow);
    const rowH = Math.max(...row.map((l) => l.hh));
    row.forEach((l, j) => {
      const ox = PAD + j * (CARD_W + GAP);
      const oy = c.y;
      c.rect(ox, oy, CARD_W, rowH, `rx="10" fill="#fff" stroke="${COLORS.line}"`);
      let y = oy;
      if (l.img) {
        c.rect(ox + 1, oy + 1, CARD_W - 2, l.img, `rx="9" fill="#e6e9f0"`);
        c.text(ox + CARD_W / 2, oy + l.img / 2 + 5, '▣ image', `font-size="12" text-anchor="middle" fill="${COLORS.muted}"`);
        y += l.img;
      }
      y += 8;
      c.lines(ox + 8, y + 12, l.title, `font-weight="600" fill="${COLORS.fg}"`, 17);
      y += l.title.length * 17;
      c.lines(ox + 8, y + 11, l.sub, `font-size="11.5" fill="${COLORS.muted}"`, 15);
      y += l.sub.length * 15;
      if (l.chips.height) drawChips(c, l.chips.chips, ox + 8, y + 6, CARD_W - 16);
    });
    c.y += rowH + GAP;
  }
  c.y -= GAP - 2;
}

function drawSimulation(c: Canvas, e: SimulationItem, width: number): void {
  const colour = { head: COLORS.chipFg, end: COLORS.muted, pass: COLORS.pass, fail: COLORS.fail, feature: COLORS.muted };
  for (const l of simulationLines(e)) {
    const lines = wrap(l.text, width - 2 * PAD, 12).slice(0, 3);
    c.lines(width / 2, c.y + 12, lines, `font-size="12" fill="${colour[l.kind]}" text-anchor="middle"${l.kind === 'head' ? ' font-weight="600"' : ''}`, 16);
    c.y += lines.length * 16;
  }
}

/** One or two lines: the model's verdict and its reason. */
function drawVerdict(c: Canvas, v: VerdictItem): void {
  const inner = c.width - 2 * PAD - 24;
  const d = v.verdict;
  const head = `⚖ ${d.pass ? 'pass' : 'fail'} ${d.threshold !== undefined ? `${d.score.toFixed(3)} vs ${d.threshold}` : d.score.toFixed(2)}${d.cached ? ' (cached)' : ''}: ${v.step}`;
  const lines = [...wrap(head, inner, 12).slice(0, 2), ...wrap(d.reason, inner, 12).slice(0, 3)];
  const hh = lines.length * 16 + 12;
  c.rect(PAD, c.y, c.width - 2 * PAD, hh, `rx="10" fill="${d.pass ? '#f3faf4' : '#fff5f5'}" stroke="${d.pass ? '#b7dfbf' : '#f1b8bd'}"`);
  c.lines(PAD + 12, c.y + 18, lines, `font-size="12" fill="${d.pass ? COLORS.pass : COLORS.fail}"`, 16);
  c.y += hh;
}

function drawCheck(c: Canvas, k: CheckItem): void {
  const inner = c.width - 2 * PAD - 24;
  const rows: Array<{ lines: string[]; attrs: string; lh: number }> = [];
  const add = (text: string, attrs: string, size = FONT, lh = LINE, limit = 6): void => {
    rows.push({ lines: wrap(text, inner, size).slice(0, limit), attrs, lh });
  };
  add(`✗ Step failed: ${k.step}`, `font-weight="600" fill="${COLORS.fail}"`);
  if (k.headline) add(k.headline, `fill="${COLORS.fg}"`, 12.5, 17);
  add(`expected: ${k.expected ?? k.step}`, `font-size="12" fill="${COLORS.pass}"`, 12, 16);
  if (k.diff) {
    // The diff's own lines, monospaced so the `?` markers sit under the characters they mark.
    add(`nearest reply: ${k.diff.headline}`, `font-size="12" fill="${COLORS.fg}"`, 12, 16, 2);
    const colour = (l: string): string => (l.startsWith('- ') ? COLORS.pass : l.startsWith('+ ') || l.startsWith('? ') ? COLORS.fail : COLORS.muted);
    for (const l of k.diff.lines.slice(3, 15)) add(l, `font-size="11.5" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" style="white-space:pre" fill="${colour(l)}"`, 11.5, 15, 1);
  }
  if (k.unclaimed.length === 0) add('unclaimed: no unclaimed reply in this turn', `font-size="12" fill="${COLORS.muted}"`, 12, 16);
  for (const u of k.unclaimed.slice(0, 6)) add(`unclaimed: ${renderCompact(u.message)}  (${formatSince(u.sinceActionMs)})`, `font-size="12" fill="${COLORS.fail}"`, 12, 16, 3);
  const hh = rows.reduce((sum, row) => sum + row.lines.length * row.lh, 0) + 16;
  c.rect(PAD, c.y, c.width - 2 * PAD, hh, `rx="10" fill="#fff5f5" stroke="#f1b8bd"`);
  let y = c.y + 8;
  for (const row of rows) {
    c.lines(PAD + 12, y + 12, row.lines, row.attrs, row.lh);
    y += row.lines.length * row.lh;
  }
  c.y += hh;
}
