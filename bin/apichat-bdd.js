#!/usr/bin/env node
// The `apichat-bdd` command: runs src/cli — the compiled dist/src/cli.js in the published
// package, the TypeScript source through tsx in this repository (where src/ exists).
// SIGINT/SIGTERM stop `listen`, `simulate`, `crawl` and `record` cleanly (a second one exits at once); the other
// commands keep Node's default handling, so Ctrl-C ends them immediately.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
let cli;
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/src/cli.js');
}
const { main, LONG_RUNNING, SIGNAL_EXIT } = cli;

// `apichat-bdd listen | head` closes the pipe: end quietly instead of crashing on EPIPE.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const argv = process.argv.slice(2);
const stop = new AbortController();
let signals = 0;
const onSignal = (name) => {
  signals++;
  if (signals > 1) process.exit(SIGNAL_EXIT[name]);
  stop.abort();
};
const handleSignals = LONG_RUNNING.includes(argv[0]);
if (handleSignals) {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

const code = await main({ argv, signal: stop.signal });
if (handleSignals) {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
// Exit once stdout is flushed, even if a keep-alive socket lingers.
process.stdout.write('', () => process.exit(code));
