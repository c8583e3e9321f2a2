// The unit tests at the root of test/ in one process (see test/support/import-all.ts).
import { importAll } from '../support/import-all.ts';

await importAll('.');
