// The unit tests of test/protocol/ in one process (see test/support/import-all.ts).
import { importAll } from '../support/import-all.ts';

await importAll('protocol');
