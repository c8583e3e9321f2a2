// GitHub Actions annotations and job summary: a Cucumber formatter plugin, active only when
// GITHUB_ACTIONS=true. Use it in a `format` entry with a file target (stdout is progress's):
// 'apichat-bdd/github-formatter:reports/github-annotations.txt' (in this repository
// './steps/github-formatter.mjs:…'). Plain JavaScript for the reason given in report-formatter.mjs.
import { importCompiledOrSource } from './load.mjs';

export default {
  type: 'formatter',
  async formatter(ctx) {
    const { githubFormatter } = await importCompiledOrSource(new URL('../src/report/github-formatter', import.meta.url));
    return githubFormatter(ctx);
  },
};
