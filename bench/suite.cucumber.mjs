// Cucumber config for bench/suite.ts: the project's steps and plugin, summary output only
// (the benchmark must not overwrite the user's reports/).
export default {
  import: ['steps/tsx-register.js', 'steps/support/*.ts', 'steps/*.steps.ts'],
  plugin: ['./steps/plugin.mjs'],
  format: ['summary'],
};
