// Which offline language detector is right for "Then the bot replies in Spanish": accuracy on
// 50 short bot-like replies in 7 languages (bench/fixtures/short-replies.json), and time per call.
// Run: node --import tsx bench/language.ts   (eld, tinyld and franc must be installed; only the
// chosen one is a dependency: npm install --no-save tinyld franc to compare)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const corpus = JSON.parse(readFileSync(new URL('./fixtures/short-replies.json', import.meta.url), 'utf8')) as Array<[string, string]>;
// franc answers ISO 639-3.
const ISO3: Record<string, string> = { eng: 'en', spa: 'es', fra: 'fr', deu: 'de', por: 'pt', ita: 'it', nld: 'nl' };

type Detect = (text: string) => string;
const detectors: Array<[string, () => Promise<Detect>]> = [
  ['eld (large)', async () => { const { eld } = await import('eld/large' as string); return (t) => eld.detect(t).language; }],
  ['eld (medium)', async () => { const { eld } = await import('eld/medium' as string); return (t) => eld.detect(t).language; }],
  ['eld (small)', async () => { const { eld } = await import('eld/small' as string); return (t) => eld.detect(t).language; }],
  ['eld (extrasmall)', async () => { const { eld } = await import('eld/extrasmall' as string); return (t) => eld.detect(t).language; }],
  ['tinyld', async () => { const { detect } = await import('tinyld' as string); return (t) => detect(t); }],
  ['tinyld (heavy)', async () => { const { detect } = await import('tinyld/heavy' as string); return (t) => detect(t); }],
  ['franc (minLength 1)', async () => { const { franc } = await import('franc' as string); return (t) => { const c = franc(t, { minLength: 1 }); return ISO3[c] ?? c; }; }],
];

console.log(`${corpus.length} short replies, ${new Set(corpus.map(([l]) => l)).size} languages; node ${process.version}`);
for (const [name, load] of detectors) {
  let detect: Detect;
  const t0 = performance.now();
  try {
    detect = await load();
  } catch (e) {
    console.log(`${name}: not installed (${(e as Error).message.split('\n')[0]})`);
    continue;
  }
  const loadMs = performance.now() - t0;
  const wrong: string[] = [];
  const t1 = performance.now();
  for (const [lang, text] of corpus) {
    const got = detect(text);
    if (got !== lang) wrong.push(`${lang}→${got || '?'} "${text}"`);
  }
  const perCall = (performance.now() - t1) / corpus.length;
  console.log(`${name}: ${corpus.length - wrong.length}/${corpus.length} correct (${Math.round((100 * (corpus.length - wrong.length)) / corpus.length)}%), load ${loadMs.toFixed(0)} ms, ${perCall.toFixed(3)} ms per call`);
  for (const w of wrong) console.log(`    ${w}`);
}
