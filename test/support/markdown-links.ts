// Just enough Markdown for a link check: the links and images a page has outside code, and the
// anchors GitHub gives its headings. Written here rather than pulled in as a parser: the rules
// below are the whole of what the check needs (fences, code spans, comments, inline links with
// titles, reference definitions, HTML href/src, ATX and setext headings).

export interface Link {
  /** 1-based line of the link in its file. */
  line: number;
  /** The destination as written: `docs/x.md#anchor`, `#anchor`, `https://…`. */
  target: string;
}

/** The text with fenced code blocks blanked out (the fences too); line numbers are kept. */
function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const m = /^\s*(`{3,}|~{3,})/.exec(line);
      if (fence) {
        // A closing fence is the same character, at least as long, and nothing after it.
        if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
        return '';
      }
      if (m) fence = m[1]!;
      return m ? '' : line;
    })
    .join('\n');
}

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
const withoutComments = (text: string): string => text.replace(/<!--[\s\S]*?-->/g, blank);

/** The text with fenced code blocks, code spans and HTML comments blanked out; line numbers are kept. */
export function withoutCode(markdown: string): string {
  // A code span: a run of backticks to the next run of the same length, not across a blank line.
  return withoutComments(withoutFences(markdown)).replace(/(?<!`)(`+)(?!`)((?:(?!\n\s*\n)[\s\S])*?)(?<!`)\1(?!`)/g, blank);
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Every link and image destination outside code: inline, reference definitions, and HTML href/src. */
export function linksOf(markdown: string): Link[] {
  const text = withoutCode(markdown);
  const links: Link[] = [];
  // ](dest) or ](dest "title") / 'title' / (title); dest may be <…> or hold one level of balanced parentheses.
  const inline = /\]\(\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const m of text.matchAll(inline)) links.push({ line: lineOf(text, m.index), target: m[1]!.replace(/^<|>$/g, '') });
  for (const m of text.matchAll(/^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/gm)) links.push({ line: lineOf(text, m.index), target: m[1]!.replace(/^<|>$/g, '') });
  for (const m of text.matchAll(/<(?:a|img)\b[^>]*?\s(?:href|src)\s*=\s*("[^"]*"|'[^']*')/gi)) links.push({ line: lineOf(text, m.index), target: m[1]!.slice(1, -1) });
  return links.sort((a, b) => a.line - b.line);
}

/** A link that leaves the repository: a scheme (https:, mailto:) or protocol-relative. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** The text a heading renders to: code spans keep their content, links their text, markup goes. */
function headingText(source: string): string {
  const parts = source.split(/(`+)([^`]*?)\1(?!`)/);
  let out = '';
  // split() with two groups yields [text, ticks, code, text, ticks, code, …].
  for (let i = 0; i < parts.length; i += 3) {
    out += (parts[i] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/\*+/g, '')
      .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, '$1');
    if (i + 2 < parts.length) out += parts[i + 2];
  }
  return out.trim();
}

/** GitHub's anchor for a heading (the github-slugger rule): lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return headingText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: its headings' slugs (repeats get -1, -2 …) and HTML id/name attributes. */
export function anchorsOf(markdown: string): Set<string> {
  // Code spans stay: a heading's code keeps its text in the slug.
  const text = withoutComments(withoutFences(markdown));
  const lines = text.split('\n');
  const anchors = new Set<string>();
  const occurrences = new Map<string, number>();
  const add = (heading: string): void => {
    const base = slug(heading);
    let s = base;
    while (anchors.has(s)) {
      const n = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, n);
      s = `${base}-${n}`;
    }
    anchors.add(s);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const atx = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/.exec(line);
    if (atx) {
      add(atx[1] ?? '');
      continue;
    }
    const next = lines[i + 1];
    // A setext heading: a paragraph line underlined with === or ---.
    if (next !== undefined && /^ {0,3}(=+|-+)\s*$/.test(next) && line.trim() !== '' && !/^\s*([-*+]\s|\d+[.)]\s|>|\|)/.test(line)) add(line.trim());
  }
  for (const m of text.matchAll(/<[a-z]+\b[^>]*?\s(?:id|name)\s*=\s*("[^"]*"|'[^']*')/gi)) anchors.add(m[1]!.slice(1, -1));
  return anchors;
}
