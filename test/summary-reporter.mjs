// The test runner's output for `npm test`: Node's dot reporter (a dot per test, then every
// failure in full), followed by one summary line with the counts and, by name, every skipped
// test and why — so a skip cannot hide behind a line of dots.
import { dot } from 'node:test/reporters';

const COUNTS = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;

export default async function* summary(source) {
  const counts = [];
  // Node's own totals, from the diagnostics it emits at the end of the run.
  const skipped = [];
  async function* watch() {
    for await (const event of source) {
      if (event.type === 'test:diagnostic' && event.data.nesting === 0 && COUNTS.test(event.data.message)) counts.push(event.data.message);
      if (event.type === 'test:pass' && event.data.skip !== undefined) {
        skipped.push(`${event.data.name}${typeof event.data.skip === 'string' ? ` (${event.data.skip})` : ''}`);
      }
      yield event;
    }
  }
  yield* dot(watch());
  for (const s of skipped) yield `skipped: ${s}\n`;
  const n = Object.fromEntries(counts.map((c) => c.split(' ')));
  const seconds = (Number(n.duration_ms) / 1000).toFixed(1);
  yield `${n.tests} tests: ${n.pass} passed, ${n.fail} failed, ${n.cancelled} cancelled, ${n.skipped} skipped, ${n.todo} todo (${seconds} s)\n`;
}
