// The variable table of docs/reference.md against the variables config.ts knows (VARIABLES, from
// which `--help` and init's .env.example are written): a variable missing from either side fails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VARIABLES } from '../src/config.ts';

const REFERENCE = new URL('../docs/reference.md', import.meta.url);

/** The APICHAT_* names in the first column of the table under "## Variables". */
function documentedVariables(markdown: string): string[] {
  const section = /^## Variables\n([\s\S]*?)(?=^## )/m.exec(markdown);
  assert.ok(section, 'docs/reference.md has no "## Variables" section followed by another section');
  const rows = section[1]!.split('\n').filter((l) => /^\|\s*`APICHAT_/.test(l));
  assert.ok(rows.length > 0, 'the "## Variables" section of docs/reference.md has no table rows');
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(APICHAT_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

describe('docs/reference.md variables', () => {
  it('lists every variable of src/config.ts, and no other', () => {
    const documented = documentedVariables(readFileSync(REFERENCE, 'utf8'));
    const known = Object.keys(VARIABLES);
    assert.deepEqual(known.filter((v) => !documented.includes(v)), [], 'add a row to the variable table of docs/reference.md for each');
    assert.deepEqual(documented.filter((v) => !known.includes(v)), [], 'in the table of docs/reference.md but not in VARIABLES (src/config.ts)');
    assert.equal(new Set(documented).size, documented.length, 'a variable has two rows');
  });
});
