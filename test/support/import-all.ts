// Unit test files run in groups, one process per folder (test/groups/*.ts), instead of one process
// per file: a process costs about 0.7 s of CPU to start (Node, tsx, fastify, undici, zod), which
// was most of `npm run test:unit` on a 2-core machine. The files of one folder share a process;
// a file that changes process-wide state (env, the global dispatcher) must put it back.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TEST = join(import.meta.dirname, '..');

/** Imports every *.test.ts of test/<folder> (test/ itself for '.'), in name order; node:test runs their tests in this process. */
export async function importAll(folder: string): Promise<void> {
  const dir = join(TEST, folder);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.ts')).sort()) await import(pathToFileURL(join(dir, f)).href);
}
