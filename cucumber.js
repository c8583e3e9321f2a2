// `npx cucumber-js` runs the example suite against the embedded simulator (no configuration);
// set the APICHAT_* variables (README) to run the same features against a live workspace.
// No `paths`: Cucumber's default is features/**/*.feature, and paths given on the command line
// then replace it instead of being merged with it.
const common = {
  import: ['steps/tsx-register.js', 'steps/support/*.ts', 'steps/*.steps.ts'],
  plugin: ['./steps/plugin.mjs'],
  // A failure on the console reads as the failure and where the chat is; the transcript and the
  // chat picture stay attached for cucumber.html, messages and the conversation report.
  formatOptions: { printAttachments: false },
};

// Every run also writes the conversation report (one self-contained HTML page). The reports go
// to reports/, or to APICHAT_REPORT_DIR (the project's own tests point it at a temporary directory).
const dir = process.env.APICHAT_REPORT_DIR?.trim() || 'reports';
const conversations = `./steps/report-formatter.mjs:${dir}/conversations.html`;
// Silent unless GITHUB_ACTIONS=true: then failed steps become annotations on the pull request and
// the run writes the job summary (docs/ci-regression.md); the file keeps a copy of the annotations.
const github = `./steps/github-formatter.mjs:${dir}/github-annotations.txt`;

export default {
  ...common,
  format: ['progress', conversations, github],
};

// `--profile ci`: progress on the console; under reports/ JUnit XML that keeps every --retry attempt
// (<flakyFailure>), Cucumber's HTML report, the message file (`apichat-bdd report` and `diff` read
// it) and the conversation report; on GitHub Actions, annotations and the job summary.
// A failing scenario is run once more: one that then passes is reported as flaky.
export const ci = {
  ...common,
  retry: 1,
  format: [
    'progress',
    `./steps/junit-formatter.mjs:${dir}/junit.xml`,
    `html:${dir}/cucumber.html`,
    `message:${dir}/messages.ndjson`,
    conversations,
    github,
  ],
};
