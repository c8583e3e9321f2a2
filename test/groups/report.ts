// The unit tests of test/report/ in one process (see test/support/import-all.ts).
import { importAll } from '../support/import-all.ts';

await importAll('report');
