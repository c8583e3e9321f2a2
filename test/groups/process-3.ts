// Unit-test process 3 of `npm run test:unit`: the folders UNIT_PROCESSES lists for it (test/support/import-all.ts).
import { importProcess } from '../support/import-all.ts';

await importProcess(3);
