// The `apichat-bdd` command: init, steps, listen, webhook get|set|remove, simulate, doctor, crawl, record, report, diff.
// main() takes its argv, environment, output streams and stop signal as arguments and returns
// the exit code, so tests run it in-process; bin/apichat-bdd.js wires it to the real process.
// Every user mistake is ONE line on stderr (formatUserError), exit code 2 for a usage or
// configuration mistake, 1 for a failure of the platform; secrets never appear in any output
// (`simulate` prints the simulator's own throwaway keys, by design).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatUserError } from './cli/output.ts';
import { DEFAULT_LISTEN_PORT, readEnv, VARIABLES } from './config.ts';
import { isApiChatError } from './base/errors.ts';
import { exitCodeOf } from './base/error-codes.ts';
import { packageVersion } from './base/version.ts';
import { EXIT, line, UsageError, type CliContext, type Env, type Out } from './cli/context.ts';

export { SIGNAL_EXIT } from './base/error-codes.ts';
export { EXIT } from './cli/context.ts';
export type { CliContext, Out } from './cli/context.ts';

export interface MainOptions {
  argv: string[];
  /** Default process.env. */
  env?: Env;
  /** The .env file read under `env` (the environment wins). Default ./.env when `env` is not given, else none. */
  envFile?: string | false;
  stdout?: Out;
  stderr?: Out;
  /** Ends `listen` and `simulate` (bin/apichat-bdd.js aborts it on SIGINT/SIGTERM). Default: never. */
  signal?: AbortSignal;
  /** What `record` reads. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Where `init` scaffolds. Default process.cwd(). */
  cwd?: string;
}

export const COMMANDS = ['init', 'steps', 'listen', 'webhook', 'simulate', 'doctor', 'crawl', 'record', 'report', 'diff', 'help'] as const;
/** The commands that stop cleanly on MainOptions.signal (SIGINT/SIGTERM in bin/apichat-bdd.js). */
export const LONG_RUNNING: readonly string[] = ['listen', 'simulate', 'crawl', 'record'];

export function usage(): string {
  const width = Math.max(...Object.keys(VARIABLES).map((v) => v.length));
  const vars = Object.entries(VARIABLES)
    .map(([name, what]) => `  ${name.padEnd(width)}  ${what}`)
    .join('\n');
  return `Usage: apichat-bdd <command> [options]

Conversation tests for chatbots on the API Chat channel. The tests themselves run with
\`npx cucumber-js\`; this command helps set up and check a live workspace.

Commands:
  init                   Set up conversation tests in the current repository (needs its package.json):
                         cucumber.mjs, features/example.feature, steps/example.steps.ts (a custom
                         step), steps/package.json, .env.example, .gitignore lines for reports/ and
                         .env, and for VS Code .vscode/settings.json (step completion with the official
                         Cucumber extension) and .vscode/extensions.json. Never overwrites a file:
                         merges the two .vscode files, lists what it created and what it skipped.
  steps [--format md|json]
                         Every built-in step phrase with an example and what it checks (text by
                         default; md is docs/phrases.md; json for tools).
  listen                 Run the signed-webhook listener from the APICHAT_* configuration
                         (needs APICHAT_WEBHOOK_SECRET; binds APICHAT_LISTEN_HOST:APICHAT_LISTEN_PORT,
                         default 127.0.0.1:${DEFAULT_LISTEN_PORT}, on the path of APICHAT_PUBLIC_URL, default /webhook).
                         stdout: one JSON line per verified delivery (the normalised message with
                         kind, sender_id, conv_id, raw, arrived_at); stderr: one line per rejected
                         delivery. Runs until Ctrl-C. With APICHAT_REDIS_URL it also publishes every
                         verified delivery to Redis Streams, for test runs on other machines.
  webhook get            Show the workspace's API Chat webhook as JSON (the verification key as "***").
  webhook set            Register APICHAT_PUBLIC_URL with APICHAT_WEBHOOK_SECRET as the workspace's
                         webhook. The platform verifies it with a handshake first, so
                         \`apichat-bdd listen\` (or a test run) must be up behind that URL.
  webhook remove         Remove the workspace's webhook.
  webhook restore        Put back the webhook a killed test run (SIGKILL) left on its dead listener,
                         from the record the run wrote before it took over
                         (.apichat-bdd/previous-webhook-<workspace>.json). A normal end or Ctrl-C
                         restores it without this; so does the next test run.
                         (webhook commands need APICHAT_PARTNER_BASE_URL, APICHAT_PARTNER_API_KEY,
                         APICHAT_WORKSPACE_ID)
  simulate [bot-file]    Run the embedded platform (bot URL + partner API) with the demo bot or the
                         given bot file; prints ONE JSON object on stdout: bot_url, partner_base_url,
                         workspace_id, flow_api_key, partner_api_key. These keys are the simulator's
                         own, generated for this session, so printing them is intended.
                         Options: --port <n> (default: a free port), --host <addr> (default 127.0.0.1),
                         --jitter-ms <n> (each reply is sent up to n ms late, at random; default 10).
                         Runs until Ctrl-C.
  doctor                 Check a live setup, one line per check ("✓ …" or "✗ … — fix"): the
                         configuration; the partner API and key; the registered webhook (verified,
                         pointing at APICHAT_PUBLIC_URL, same key); that a signed test delivery posted to
                         APICHAT_PUBLIC_URL reaches the listener (a temporary one, or the \`listen\`
                         already running on the port); that the bot URL accepts the flow key. That
                         last check sends a real text message "apichat-bdd doctor" from a throwaway
                         bot user ("doctor-…"), so the bot does receive it.
  crawl                  Walk the bot's postback buttons breadth-first (carousel card buttons too)
                         and write feature files that pass when run again: one scenario per path,
                         one file per start message and first button. Each path is visited twice;
                         replies that differ become \`matching /…/\` steps. Stops at link buttons,
                         free-text prompts, silence and messages already seen.
                         Options: --start "text" (repeatable; default "hi"), --depth N (taps after
                         the start message; default 3; above 8 also give --max-conversations),
                         --out DIR (default features/crawled), --max-conversations N (default 200),
                         --rate N/s (messages per second; default 5 against a live bot).
                         Progress on stderr, a summary line on stdout.
  record --out FILE      A chat with the bot in the terminal, written as a feature. Input lines:
                         text is said; a number taps that button; /tap Title [on Card];
                         /image|/audio|/video|/file URL; /say TEXT; /undo; /save; /help.
                         End of input (Ctrl-D, or the end of a pipe) replays the chat once and
                         writes FILE; Ctrl-C leaves without writing. Options: --force (replace
                         an existing FILE), --rate N/s.
  report FILE.ndjson… [--out FILE.html]
                         One conversation report and one bot-coverage summary from the Cucumber
                         message files of several runs (CI shards: \`cucumber-js --shard i/n --format
                         message:FILE\`). Default --out reports/conversations.html.
  diff OLD.ndjson NEW.ndjson [--out FILE.html]
                         What the bot says differently between two runs' message files: scenarios
                         paired by feature and scenario name, replies turn by turn (text, buttons,
                         cards, media, private notes) in any arrival order, and pass/fail. Values
                         captured by named groups and numbers are not differences. One line per
                         difference; --out writes an HTML page. Exit 0 same, 1 different, 2 bad input.
  help, --help, -h       This text.
  --version, -v          The version of apichat-bdd.

Exit codes: 0 success; 1 a failure of the platform or a failed doctor check;
2 a usage or configuration mistake (one line naming the variable).

Configuration (environment, or a .env file in the current directory; the environment wins):
${vars}
Nothing set = simulated mode (the test run starts the embedded simulator). Secret values are
never printed.
`;
}

export async function main(options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  try {
    return await run(options, stdout, stderr);
  } catch (e) {
    line(stderr, formatUserError(e));
    return isApiChatError(e) ? exitCodeOf(e.code) : EXIT.FAILURE;
  }
}

async function run(options: MainOptions, stdout: Out, stderr: Out): Promise<number> {
  const [command, ...rest] = options.argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    stdout.write(usage());
    return EXIT.OK;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    line(stdout, packageVersion());
    return EXIT.OK;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(command.startsWith('-') ? `unknown option ${command}; run \`apichat-bdd --help\`` : `unknown command ${JSON.stringify(command)}; run \`apichat-bdd --help\` for the commands`);
  }
  let parsed: ReturnType<typeof parseCommandArgs>;
  try {
    parsed = parseCommandArgs(rest, command);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split(/\.(\s|$)/)[0]}; run \`apichat-bdd --help\``);
  }
  if (parsed.values.help) {
    stdout.write(usage());
    return EXIT.OK;
  }
  const envFile = options.envFile ?? (options.env ? false : resolve('.env'));
  const ctx: CliContext = {
    env: readEnv(options.env ?? process.env, envFile),
    stdout,
    stderr,
    signal: options.signal ?? new AbortController().signal,
    ...(options.stdin ? { stdin: options.stdin } : {}),
  };
  const args = parsed.positionals;
  // Each command's module is loaded when it runs: `--help` or one command does not load them all.
  switch (command) {
    case 'init':
      noArguments(command, args);
      return (await import('./cli/init.ts')).initCommand(stdout, options.cwd ?? process.cwd());
    case 'steps':
      noArguments(command, args);
      return (await import('./cli/steps.ts')).stepsCommand(ctx, parsed.values.format);
    case 'listen':
      noArguments(command, args);
      return (await import('./cli/listen.ts')).listenCommand(ctx);
    case 'webhook':
      return (await import('./cli/webhook.ts')).webhookCommand(ctx, args);
    case 'simulate':
      if (args.length > 1) throw new UsageError(`simulate takes at most one bot file, got ${args.length} arguments`);
      return (await import('./cli/simulate.ts')).simulateCommand(ctx, { bot: args[0], port: parsed.values.port, host: parsed.values.host, jitterMs: parsed.values['jitter-ms'] });
    case 'crawl':
      return (await import('./cli/crawl.ts')).crawlCommand(ctx, parsed.values, args);
    case 'record':
      return (await import('./cli/record.ts')).recordCommand(ctx, parsed.values, args);
    case 'doctor':
      noArguments(command, args);
      return (await import('./cli/doctor.ts')).doctorCommand(ctx);
    case 'report':
      return (await import('./cli/report.ts')).reportCommand(ctx, { files: args, out: parsed.values.out });
    case 'diff':
      return (await import('./cli/diff.ts')).diffCommand(ctx, { files: args, out: parsed.values.out });
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

const COMMON_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;
const COMMAND_OPTIONS = {
  simulate: { port: { type: 'string' }, host: { type: 'string' }, 'jitter-ms': { type: 'string' } },
  crawl: {
    start: { type: 'string', multiple: true },
    depth: { type: 'string' },
    out: { type: 'string' },
    'max-conversations': { type: 'string' },
    rate: { type: 'string' },
  },
  record: { out: { type: 'string' }, rate: { type: 'string' }, force: { type: 'boolean' } },
  report: { out: { type: 'string', short: 'o' } },
  diff: { out: { type: 'string', short: 'o' } },
  steps: { format: { type: 'string' } },
} as const;
type AllOptions = typeof COMMON_OPTIONS & (typeof COMMAND_OPTIONS)['steps'] & (typeof COMMAND_OPTIONS)['simulate'] & (typeof COMMAND_OPTIONS)['crawl'] & (typeof COMMAND_OPTIONS)['record'] & (typeof COMMAND_OPTIONS)['report'];

/** Only the options of this command are accepted (strict): anything else is a one-line usage error. */
function parseCommandArgs(args: string[], command: string) {
  const own = (COMMAND_OPTIONS as Record<string, object>)[command] ?? {};
  const options = { ...COMMON_OPTIONS, ...own } as AllOptions;
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  return { values, positionals };
}

function noArguments(command: string, args: string[]): void {
  if (args.length > 0) throw new UsageError(`${command} takes no arguments, got ${JSON.stringify(args.join(' '))}`);
}
