// Unit test files run in three processes (test/groups/process-<n>.ts), each importing whole
// folders, instead of one process per file or per folder: a process costs about 1.5 s of CPU to
// start (Node, tsx, fastify, undici, zod), which was most of `npm run test:unit` on a 2-core
// machine. Measured: one process per folder (13) 22.8 s wall and 37 s CPU; these three 17.8 s
// and 24.5 s. Files that share a process must put back process-wide state they change (env,
// the global dispatcher).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TEST = join(import.meta.dirname, '..');

/**
 * The unit-test folders of each process, balanced by their tests' run time (mostly their own
 * timers: conversation ~11 s; inbox ~8; author, ai ~7; cli ~4; the rest ~2 or less).
 * test/unit-groups.test.ts checks that every folder of unit tests is in exactly one.
 */
export const UNIT_PROCESSES: readonly (readonly string[])[] = [
  ['conversation', 'simulator', 'properties', 'steps', 'protocol'],
  ['inbox', 'cli', 'client', '.', 'run', 'report'],
  ['author', 'ai'],
];

/** Imports the folders of unit process `n` (1-based: test/groups/process-<n>.ts). */
export async function importProcess(n: number): Promise<void> {
  for (const folder of UNIT_PROCESSES[n - 1]!) await importAll(folder);
}

/** Imports every *.test.ts of test/<folder> (test/ itself for '.'), in name order; node:test runs their tests in this process. */
export async function importAll(folder: string): Promise<void> {
  const dir = join(TEST, folder);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.test.ts')).sort()) await import(pathToFileURL(join(dir, f)).href);
}
