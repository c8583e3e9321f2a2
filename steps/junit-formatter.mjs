// JUnit XML with every --retry attempt kept (<flakyFailure>, <rerunFailure>; Surefire's format,
// which Jenkins and GitLab read): a Cucumber formatter plugin. Use it in a `format` entry:
// 'apichat-bdd/junit-formatter:reports/junit.xml' (in this repository './steps/junit-formatter.mjs:…').
// Plain JavaScript for the reason given in report-formatter.mjs.
import { importCompiledOrSource } from './load.mjs';

export default {
  type: 'formatter',
  // formatOptions: { junit: { suiteName: '…' } }
  optionsKey: 'junit',
  async formatter(ctx) {
    const { junitFormatter } = await importCompiledOrSource(new URL('../src/report/junit-formatter', import.meta.url));
    return junitFormatter(ctx);
  },
};
