// `npx cucumber-js` runs the example suite against the embedded simulator (no configuration);
// set the APICHAT_* variables (README) to run the same features against a live workspace.
const common = {
  paths: ['features/**/*.feature'],
  import: ['steps/tsx-register.js', 'steps/support/*.ts', 'steps/*.steps.ts'],
  plugin: ['./steps/plugin.mjs'],
};

export default {
  ...common,
  format: ['progress'],
};

// `--profile ci`: progress on the console, JUnit XML and Cucumber's HTML report under reports/.
export const ci = {
  ...common,
  format: ['progress', 'junit:reports/junit.xml', 'html:reports/cucumber.html', 'message:reports/messages.ndjson'],
};
