// A test's try/finally in one line: what it opened is closed after it, pass or fail.
import type { TestContext } from 'node:test';

/** Closes each of `things` in the order given once test `t` is over (its failure, if any, is kept). */
export function closeAfter(t: TestContext, ...things: Array<{ close(): unknown } | undefined>): void {
  t.after(async () => {
    for (const thing of things) await thing?.close();
  });
}
