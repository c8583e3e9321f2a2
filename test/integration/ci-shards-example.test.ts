// The shard examples (examples/ci/github-actions-shards.yml, listener-host.compose.yml) are
// documentation a user copies: they parse, shard by the matrix, keep every shard's message file
// and merge them with `apichat-bdd report` even when a shard failed, and hold shell bash parses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { ROOT } from '../support/process.ts';

function load(path: string): { text: string; doc: Record<string, any> } {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const parsed = parseDocument(text, { prettyErrors: true });
  assert.deepEqual([...parsed.errors, ...parsed.warnings].map(String), [], `${path} parses as YAML`);
  assert.match(text.split('\n')[0]!, /^# Example, not active: /);
  return { text, doc: parsed.toJS() as Record<string, any> };
}

test('github-actions-shards.yml: a matrix of runners and one merged report', () => {
  const { doc } = load('examples/ci/github-actions-shards.yml');
  const shard = doc.jobs.shard;
  const report = doc.jobs.report;
  const n = (shard.strategy.matrix.shard as number[]).length;
  assert.equal(shard.strategy['fail-fast'], false, 'one failing shard does not cancel the others');
  for (const name of ['APICHAT_REDIS_URL', 'APICHAT_FLOW_API_KEY']) assert.equal(shard.env[name], `\${{ secrets.${name} }}`);
  assert.equal(shard.env.APICHAT_WEBHOOK_SECRET, undefined, 'a runner needs no webhook secret');
  const steps = [...shard.steps, ...report.steps] as Array<Record<string, any>>;
  assert.ok(steps.some((s) => String(s.run).includes(`cucumber-js --profile ci --shard \${{ matrix.shard }}/${n}`)), `--shard i/${n}`);
  const upload = shard.steps.find((s: Record<string, any>) => String(s.uses).startsWith('actions/upload-artifact'));
  assert.equal(upload.if, 'always()');
  assert.equal(report.needs, 'shard');
  assert.equal(report.if, 'always()');
  const download = report.steps.find((s: Record<string, any>) => String(s.uses).startsWith('actions/download-artifact'));
  const merge = report.steps.find((s: Record<string, any>) => /apichat-bdd report /.test(String(s.run)));
  assert.ok(String(merge.run).startsWith(`npx apichat-bdd report ${download.with.path}*/messages.ndjson --out `));
  for (const s of steps) if (typeof s.run === 'string') assert.equal(spawnSync('bash', ['-n'], { input: s.run }).status, 0, s.run);
});

test('listener-host.compose.yml: Redis with a password, and listen publishing to it', () => {
  const { doc } = load('examples/ci/listener-host.compose.yml');
  assert.ok((doc.services.redis.command as string[]).includes('--requirepass'));
  const env = doc.services.listener.environment as Record<string, string>;
  assert.match(env.APICHAT_REDIS_URL!, /^redis:\/\/:\$\{REDIS_PASSWORD\}@redis:6379$/);
  assert.match(doc.services.listener.command.join(' '), /apichat-bdd listen$/);
});
