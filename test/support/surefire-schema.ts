// A structural check of JUnit XML against the Surefire report schema (surefire-test-report-3.0.xsd):
// root <testsuite> with its required attributes, <testcase> children with theirs, and each test
// case's children in the schema's sequence (failure*, rerunFailure*, flakyFailure*, skipped?,
// error?, rerunError*, flakyError*, system-out?, system-err?); the re-run and flaky elements
// with a required type and a <stackTrace> first. A small XML reader: no XML parser is a dependency.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e]!));

/** Parses well-formed XML (elements, attributes, text; no DTD, CDATA or comments); throws on a mismatched tag. */
export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < body.length && (m = tag.exec(body))) {
    pos = tag.lastIndex;
    const [, close, name, attrs, selfClose, text] = m;
    if (text !== undefined) {
      if (stack.length === 0) {
        if (text.trim()) throw new Error(`text outside the root: ${text.slice(0, 40)}`);
        continue;
      }
      stack.at(-1)!.text += unescape(text);
      continue;
    }
    if (close) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const a of (attrs ?? '').matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attributes[a[1]!] = unescape(a[2]!);
    const el: XmlElement = { name: name!, attributes, children: [], text: '' };
    if (stack.length) stack.at(-1)!.children.push(el);
    else if (root) throw new Error('two root elements');
    else root = el;
    if (!selfClose) stack.push(el);
  }
  if (pos < body.length) throw new Error(`not XML at ${pos}: ${body.slice(pos, pos + 40)}`);
  if (stack.length || !root) throw new Error('unclosed element');
  return root;
}

const SEQUENCE: Array<[string, 'one' | 'many']> = [
  ['failure', 'many'],
  ['rerunFailure', 'many'],
  ['flakyFailure', 'many'],
  ['skipped', 'one'],
  ['error', 'one'],
  ['rerunError', 'many'],
  ['flakyError', 'many'],
  ['system-out', 'one'],
  ['system-err', 'one'],
];
const RERUN = new Set(['rerunFailure', 'rerunError', 'flakyFailure', 'flakyError']);

/** Every way the document breaks the schema (empty when it conforms). */
export function surefireProblems(root: XmlElement): string[] {
  const problems: string[] = [];
  const need = (el: XmlElement, names: string[], where: string): void => {
    for (const n of names) if (el.attributes[n] === undefined) problems.push(`${where}: no ${n}=`);
  };
  const number = (el: XmlElement, n: string, where: string): void => {
    const v = el.attributes[n];
    if (v !== undefined && !/^\d+(\.\d+)?$/.test(v)) problems.push(`${where}: ${n}="${v}" is not a number`);
  };
  if (root.name !== 'testsuite') return [`root is <${root.name}>, not <testsuite>`];
  need(root, ['name', 'tests', 'errors', 'skipped', 'failures'], 'testsuite');
  for (const n of ['tests', 'errors', 'skipped', 'failures', 'time']) number(root, n, 'testsuite');
  root.children.forEach((tc, i) => {
    const where = `testcase ${i + 1}`;
    if (tc.name !== 'testcase' && tc.name !== 'properties') return problems.push(`testsuite holds <${tc.name}>`);
    if (tc.name === 'properties') return;
    need(tc, ['name', 'time'], where);
    number(tc, 'time', where);
    let at = 0;
    const seen = new Map<string, number>();
    for (const child of tc.children) {
      const k = SEQUENCE.findIndex(([n]) => n === child.name);
      if (k < 0) {
        problems.push(`${where}: <${child.name}> is not in the schema`);
        continue;
      }
      if (k < at) problems.push(`${where}: <${child.name}> after <${SEQUENCE[at]![0]}> (out of the schema's order)`);
      at = Math.max(at, k);
      seen.set(child.name, (seen.get(child.name) ?? 0) + 1);
      if (SEQUENCE[k]![1] === 'one' && seen.get(child.name)! > 1) problems.push(`${where}: more than one <${child.name}>`);
      if (['failure', 'error', ...RERUN].includes(child.name)) need(child, ['type'], `${where} <${child.name}>`);
      if (RERUN.has(child.name)) {
        const names = child.children.map((c) => c.name);
        if (names[0] !== 'stackTrace') problems.push(`${where} <${child.name}>: <stackTrace> must come first`);
        for (const n of names.slice(1)) if (n !== 'system-out' && n !== 'system-err') problems.push(`${where} <${child.name}>: <${n}> not allowed`);
      }
    }
  });
  const count = (pred: (tc: XmlElement) => boolean): number => root.children.filter((c) => c.name === 'testcase' && pred(c)).length;
  const has = (n: string) => (tc: XmlElement) => tc.children.some((c) => c.name === n);
  const expect = { tests: count(() => true), failures: count(has('failure')), errors: count(has('error')), skipped: count(has('skipped')) };
  for (const [k, v] of Object.entries(expect)) if (root.attributes[k] !== undefined && Number(root.attributes[k]) !== v) problems.push(`testsuite ${k}="${root.attributes[k]}" but ${v} test cases`);
  return problems;
}
