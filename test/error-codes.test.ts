import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, errorCodesTable, exitCodeOf, type ErrorCode } from '../src/base/error-codes.ts';

// The error-code table lives in the manual's reference page, between two markers.
const REFERENCE = new URL('../docs/reference.md', import.meta.url);

describe('error codes', () => {
  it('the docs/reference.md table is the registry (edit src/base/error-codes.ts, then paste the table the failure prints)', () => {
    const text = readFileSync(REFERENCE, 'utf8');
    const m = /<!-- error-codes:start[^>]*-->\n([\s\S]*?)\n<!-- error-codes:end -->/.exec(text);
    assert.ok(m, 'docs/reference.md has no <!-- error-codes:start --> … <!-- error-codes:end --> block');
    assert.equal(m[1], errorCodesTable(), `docs/reference.md "Error codes" is out of date; replace the table with:\n${errorCodesTable()}`);
  });

  it('every code is APICHAT_ and says what it means and how to fix it', () => {
    for (const [code, [, meaning, fix]] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^APICHAT_[A-Z_]+$/);
      assert.ok(meaning.length > 0 && fix.length > 0, code);
      assert.ok(!meaning.includes('|') && !fix.includes('|'), `${code}: a | would break the error-code table in docs/reference.md`);
    }
  });

  it('the exit code follows the category: the user\'s input 2, the platform 1', () => {
    const cases: Array<[ErrorCode, number]> = [
      ['APICHAT_USAGE', 2],
      ['APICHAT_CONFIG', 2],
      ['APICHAT_BOT_FILE', 2],
      ['APICHAT_BOT_URL_INVALID', 2],
      ['APICHAT_PARTNER_URL_INVALID', 2],
      ['APICHAT_LISTEN', 1],
      ['APICHAT_BOT_UNAVAILABLE', 1],
      ['APICHAT_PARTNER_REJECTED', 1],
    ];
    for (const [code, exit] of cases) assert.equal(exitCodeOf(code), exit, code);
  });
});
