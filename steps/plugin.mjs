// The apichat-bdd Cucumber plugin: runs once per run, in the coordinating process, before any
// worker starts. It starts the run's one listener (and, in simulated mode, the embedded
// platform), registers the webhook, and hands the address to workers through APICHAT_RUN.
// Written as .mjs because plugins load before any TypeScript loader is registered; the body
// is plugin-run (compiled in the package, TypeScript through tsx in this repository).
import { importCompiledOrSource } from './load.mjs';

export default {
  type: 'plugin',
  async coordinator(ctx) {
    if (ctx.operation !== 'runCucumber') return undefined;
    const { startPluginRun } = await importCompiledOrSource(new URL('./plugin-run', import.meta.url));
    return startPluginRun(ctx);
  },
};
