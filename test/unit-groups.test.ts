// `npm run test:unit` runs test/groups/process-<n>.ts, each importing the folders that
// UNIT_PROCESSES lists for it: a folder of unit tests in none of them would silently not run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { UNIT_PROCESSES } from './support/import-all.ts';

const TEST = import.meta.dirname;

function foldersWithTests(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && e.name.endsWith('.test.ts')) ? [relative(TEST, dir) || '.'] : [];
  return [...here, ...entries.filter((e) => e.isDirectory() && !['integration', 'fixtures', 'groups'].includes(e.name)).flatMap((e) => foldersWithTests(join(dir, e.name)))];
}

test('every folder of unit tests is in exactly one unit process, and each process has its file', () => {
  const listed = UNIT_PROCESSES.flat();
  const missing = foldersWithTests(TEST).filter((f) => !listed.includes(f));
  assert.deepEqual(missing, [], `add these folders to UNIT_PROCESSES in test/support/import-all.ts (to the process with the least run time): ${missing.join(', ')}`);
  assert.deepEqual(listed.filter((f, i) => listed.indexOf(f) !== i), [], 'a folder listed twice runs twice');
  assert.deepEqual(readdirSync(join(TEST, 'groups')).sort(), UNIT_PROCESSES.map((_, i) => `process-${i + 1}.ts`).sort());
  for (const f of listed) assert.ok(existsSync(join(TEST, f)), `UNIT_PROCESSES lists ${f}, which is not a folder of test/`);
});
