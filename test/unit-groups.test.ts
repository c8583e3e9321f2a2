// `npm run test:unit` runs test/groups/*.ts, one process per folder: a folder of unit tests
// without its group file would silently not run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const TEST = import.meta.dirname;

function foldersWithTests(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && e.name.endsWith('.test.ts')) ? [relative(TEST, dir) || '.'] : [];
  return [...here, ...entries.filter((e) => e.isDirectory() && !['integration', 'fixtures', 'groups'].includes(e.name)).flatMap((e) => foldersWithTests(join(dir, e.name)))];
}

test('every folder of unit tests has its group file in test/groups/', () => {
  const missing = foldersWithTests(TEST).filter((f) => !existsSync(join(TEST, 'groups', `${f === '.' ? 'root' : f.replaceAll('/', '-')}.ts`)));
  assert.deepEqual(missing, [], `add test/groups/<folder>.ts (as test/groups/ai.ts) for: ${missing.join(', ')}`);
});
