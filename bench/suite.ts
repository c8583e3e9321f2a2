// A 500-scenario suite against the embedded simulator: wall time and peak memory, serial and
// --parallel 2. Each scenario: say, two replies, buttons, tap, carousel (5 steps, 2 turns).
// With --live: the same suite in live mode against `apichat-bdd simulate` run as a separate
// process (the platform), with the learned windows and with today's fixed ones.
// Usage: npm run bench:suite [-- --scenarios 500] [-- --live]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { scenarios: { type: 'string', default: '500' }, live: { type: 'boolean', default: false } } });
const N = Number(values.scenarios);

const dir = mkdtempSync(join(tmpdir(), 'apichat-bench-'));
const feature = join(dir, 'suite.feature');
const scenario = (i: number): string => `
  Scenario: guest ${i} opens the rooms
    When the user says "hi"
    Then the bot replies "Hello! I am the Grand Demo Hotel bot."
    And the bot shows buttons "Rooms", "Book", "Help", "Website"
    When the user taps "Rooms"
    Then the bot shows a carousel with 3 cards
`;
writeFileSync(feature, `Feature: ${N} scenarios\n${Array.from({ length: N }, (_, i) => scenario(i)).join('')}`);

function run(label: string, extra: string[], env: Record<string, string> = {}): void {
  const args = ['-v', process.execPath, 'node_modules/@cucumber/cucumber/bin/cucumber.js', '--config', 'bench/suite.cucumber.mjs', ...extra, feature];
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  const summary = /(\d+ scenarios? \([^)]*\))/.exec(r.stdout)?.[1] ?? 'no summary';
  const steps = (r.stdout.match(/executing steps: ([\d:.ms]+)/) ?? [])[1] ?? '?';
  console.log(`${label}: wall ${wall.toFixed(1)} s, peak RSS of the largest process ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MiB; ${summary}; executing steps ${steps}; exit ${r.status}`);
}

/** `apichat-bdd simulate` in its own process, and the APICHAT_* variables of a live run against it. */
async function livePlatform(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/apichat-bdd.js', 'simulate'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    child.once('exit', (code) => reject(new Error(`simulate exited with ${code}`)));
  });
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return {
    env: {
      APICHAT_PARTNER_BASE_URL: info.partner_base_url!,
      APICHAT_PARTNER_API_KEY: info.partner_api_key!,
      APICHAT_WORKSPACE_ID: info.workspace_id!,
      APICHAT_FLOW_API_KEY: info.flow_api_key!,
      APICHAT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
      APICHAT_LISTEN_PORT: String(port),
      APICHAT_PUBLIC_URL: `http://127.0.0.1:${port}/webhook`,
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${N} scenarios × 5 steps${values.live ? '; live mode against apichat-bdd simulate in its own process' : ''}`);
try {
  if (values.live) {
    const platform = await livePlatform();
    try {
      run('live, learned windows (default)', [], platform.env);
      run('live, today: APICHAT_SETTLE_MS=200 APICHAT_QUIET_MS=1000', [], { ...platform.env, APICHAT_SETTLE_MS: '200', APICHAT_QUIET_MS: '1000' });
      run('live, --parallel 2, learned windows', ['--parallel', '2'], platform.env);
    } finally {
      await platform.stop();
    }
  } else {
    run('serial, derived settle', []);
    run('serial, APICHAT_SETTLE_MS=0', [], { APICHAT_SETTLE_MS: '0' });
    run('--parallel 2, derived settle', ['--parallel', '2']);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
