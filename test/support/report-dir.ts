// The cucumber runs these tests start write their reports here (APICHAT_REPORT_DIR), not into the
// repository's reports/: `npm test` leaves the working tree as it found it. Removed at exit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPORT_DIR = mkdtempSync(join(tmpdir(), 'apichat-bdd-reports-'));
process.on('exit', () => rmSync(REPORT_DIR, { recursive: true, force: true }));
