// The apichat-bdd Cucumber plugin: runs once per run, in the coordinating process, before any
// worker starts. It starts the run's one listener (and, in simulated mode, the embedded
// platform), registers the webhook, and hands the address to workers through APICHAT_RUN.
// Written as .mjs because plugins load before any TypeScript loader is registered.
import { register } from 'tsx/esm/api';

const TSX = Symbol.for('apichat-bdd/tsx-registered');

export default {
  type: 'plugin',
  async coordinator(ctx) {
    if (ctx.operation !== 'runCucumber') return undefined;
    if (!globalThis[TSX]) {
      register();
      globalThis[TSX] = true;
    }
    const { startPluginRun } = await import('./plugin-run.ts');
    return startPluginRun(ctx);
  },
};
