// What `apichat-bdd init` writes into a bot's repository. Plain templates: the example feature
// passes at once against the embedded simulator's demo bot (bots/demo.yaml).
import { VARIABLES } from '../config.ts';

/** Cucumber looks for these, in this order; any one of them means the project is configured. */
export const CUCUMBER_CONFIG_NAMES = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yaml', 'cucumber.yml'];

// .mjs, so it loads the same way in a CommonJS project (npm's default) and an ESM one.
// `import` entries are file globs to Cucumber (package names work only for plugin/format), so
// the package's files are resolved to paths here: relative ones, so that no glob character in
// the folders above the project can change their meaning.
export const CUCUMBER_CONFIG = `// Cucumber configuration written by \`apichat-bdd init\`.
// \`npx cucumber-js\` runs features/**/*.feature against the embedded simulator, or against your
// bot once the APICHAT_* variables are set (see .env.example).
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Cucumber's \`import\` takes file paths (globs), not package names.
const fromPackage = (specifier) => relative(process.cwd(), fileURLToPath(import.meta.resolve(specifier))).replaceAll('\\\\', '/');

const common = {
  import: [
    fromPackage('apichat-bdd/register'), // lets your steps/ be TypeScript (tsx)
    fromPackage('apichat-bdd/steps'), // the built-in step phrases, World and hooks
    'steps/**/*.{ts,mts,js,mjs}', // your own steps
  ],
  plugin: ['apichat-bdd/plugin'], // starts the listener (and the simulator) once per run
  // A failure on the console reads as the failure, without a line per attachment; the chat stays
  // attached for cucumber.html and the conversation report.
  formatOptions: { printAttachments: false },
};

// Every run also writes the conversation report (one self-contained HTML page).
const conversations = 'apichat-bdd/report-formatter:reports/conversations.html';
// Silent unless GITHUB_ACTIONS=true: then failed steps become annotations on the pull request and
// the run writes the job summary; the file keeps a copy of the annotations.
const github = 'apichat-bdd/github-formatter:reports/github-annotations.txt';

export default {
  ...common,
  format: ['progress', conversations, github],
};

// \`npx cucumber-js --profile ci\`: under reports/ JUnit XML that keeps every retry (<flakyFailure>),
// Cucumber's HTML report, the message file (\`apichat-bdd report\` and \`apichat-bdd diff\` read it)
// and the conversation report; on GitHub Actions also annotations and the job summary.
// A failing scenario runs once more: one that then passes is reported as flaky
// (APICHAT_FAIL_ON_FLAKY=1 fails the run for it).
export const ci = {
  ...common,
  retry: 1,
  format: [
    'progress',
    'apichat-bdd/junit-formatter:reports/junit.xml',
    'html:reports/cucumber.html',
    'message:reports/messages.ndjson',
    conversations,
    github,
  ],
};
`;

// Makes steps/ ESM whatever the project's own "type" is: in a CommonJS project a TypeScript
// step would otherwise be compiled as CommonJS and fail with ERR_REQUIRE_CYCLE_MODULE.
export const STEPS_PACKAGE_JSON = `{
  "type": "module"
}
`;

export const EXAMPLE_FEATURE = `Feature: Example conversation
  Written by \`apichat-bdd init\`. It runs against the embedded simulator's demo bot (a hotel
  booking bot) until the APICHAT_* variables point at your bot: then rewrite it for your bot.

  Scenario: The bot greets a guest and offers its menu
    Given a new conversation as "Ann" with email "ann@example.com"
    When the user says "hi"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    And the bot shows a link button "Website" to "https://example.com/grand-demo-hotel"

  Scenario: A custom step (steps/example.steps.ts) sets the scene
    Given a guest looking at the rooms
    When the user taps "Choose" on card "Deluxe"
    Then the bot replies "You chose the Deluxe room."
    And the bot shows buttons "Yes", "No"
`;

export const EXAMPLE_STEPS = `// An example of your own step: it hands off to the World of the scenario (ChatWorld),
// as the built-in phrases do. See "Custom steps" in node_modules/apichat-bdd/docs/writing-features.md.
import { Given } from '@cucumber/cucumber';
import { type ChatWorld } from 'apichat-bdd';

Given('a guest looking at the rooms', async function (this: ChatWorld) {
  await this.newConversation('Guest', { email: 'guest@example.com' });
  await this.say('rooms');
  await this.expect({ kind: 'carousel', titles: ['Deluxe', 'Suite', 'Standard'] });
});
`;

/** Every APICHAT_* variable, commented out, from the table config.ts validates against. */
export function envExample(): string {
  const lines = [
    '# apichat-bdd configuration. Copy to .env (keep .env out of git) and fill in what you use.',
    '# Nothing set = simulated mode: the test run starts the embedded simulator.',
  ];
  for (const [name, what] of Object.entries(VARIABLES)) lines.push('', `# ${what}`, `# ${name}=`);
  return `${lines.join('\n')}\n`;
}

export const GITIGNORE_LINES = ['reports/', '.env', '.apichat-bdd/'];
