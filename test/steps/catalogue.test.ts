// The phrase catalogue and the step definitions are one list: Cucumber's own support code
// library, loaded from the step files, holds exactly the catalogue's phrases under the same
// keyword, so a step added, renamed or removed without its catalogue entry fails here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { supportCodeLibraryBuilder } from '@cucumber/cucumber';
import { PHRASES } from '../../src/conversation/phrases.ts';

describe('the phrase catalogue', () => {
  it('lists exactly the registered built-in steps, each once', async () => {
    let id = 0;
    supportCodeLibraryBuilder.reset(process.cwd(), () => String(id++));
    await import('../../steps/index.ts');
    const library = supportCodeLibraryBuilder.finalize();
    const registered = library.stepDefinitions.map((d) => `${d.keyword} ${String(d.pattern)}`).sort();
    assert.deepEqual(registered, PHRASES.map((p) => `${p.keyword} ${p.pattern}`).sort());
  });

  it('has unique ids and patterns, and each example starts with its keyword', () => {
    assert.equal(new Set(PHRASES.map((p) => p.id)).size, PHRASES.length);
    assert.equal(new Set(PHRASES.map((p) => p.pattern)).size, PHRASES.length);
    for (const p of PHRASES) assert.ok(p.example.startsWith(`${p.keyword} `), p.example);
  });
});
