// Unit-test process 2 of `npm run test:unit`: the folders UNIT_PROCESSES lists for it (test/support/import-all.ts).
import { importProcess } from '../support/import-all.ts';

await importProcess(2);
