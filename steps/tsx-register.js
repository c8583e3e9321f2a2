// Lets Cucumber load our TypeScript support code (ESM). Listed first in `import`.
// The plugin may already have registered tsx in this process (serial runs); once is enough.
import { register } from 'tsx/esm/api';

const FLAG = Symbol.for('apichat-bdd/tsx-registered');
if (!globalThis[FLAG]) {
  register();
  globalThis[FLAG] = true;
}
