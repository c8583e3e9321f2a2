// The test runner's output for `npm test`: Node's dot reporter (a dot per test, then every
// failure in full), followed by one summary line with the counts and, by name, every skipped
// test and why — so a skip cannot hide behind a line of dots. Then the slowest files by the
// summed time of their top-level tests (every file with TEST_FILE_TIMES=1), for measuring.
import { relative } from 'node:path';
import { dot } from 'node:test/reporters';

const COUNTS = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;

export default async function* summary(source) {
  const counts = [];
  // Node's own totals, from the diagnostics it emits at the end of the run.
  const skipped = [];
  const fileMs = new Map();
  async function* watch() {
    for await (const event of source) {
      if (event.type === 'test:diagnostic' && event.data.nesting === 0 && COUNTS.test(event.data.message)) counts.push(event.data.message);
      if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
        fileMs.set(event.data.file, (fileMs.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
      }
      if (event.type === 'test:pass' && event.data.skip !== undefined) {
        skipped.push(`${event.data.name}${typeof event.data.skip === 'string' ? ` (${event.data.skip})` : ''}`);
      }
      yield event;
    }
  }
  yield* dot(watch());
  for (const s of skipped) yield `skipped: ${s}\n`;
  const files = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, process.env.TEST_FILE_TIMES ? undefined : 3);
  const name = (file) => relative(process.cwd(), file);
  if (files.length > 0) yield `slowest files: ${files.map(([f, ms]) => `${name(f)} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`;
  const n = Object.fromEntries(counts.map((c) => c.split(' ')));
  const seconds = (Number(n.duration_ms) / 1000).toFixed(1);
  yield `${n.tests} tests: ${n.pass} passed, ${n.fail} failed, ${n.cancelled} cancelled, ${n.skipped} skipped, ${n.todo} todo (${seconds} s)\n`;
}
