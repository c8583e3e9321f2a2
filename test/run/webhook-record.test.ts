// The durable webhook record (src/run/webhook-record.ts) and APICHAT_RUN parsing (src/run/shared.ts):
// file mode, whole writes, which webhook a run puts back, and one-line errors.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isApiChatError } from '../../src/base/errors.ts';
import { parseSharedRun } from '../../src/run/run.ts';
import { previousFor, readRecord, recordPath, removeRecord, STATE_DIR, writeRecord, type WebhookRecord } from '../../src/run/webhook-record.ts';

const record = (over: Partial<WebhookRecord> = {}): WebhookRecord => ({
  workspace_id: 'ws 1/2',
  previous: { webhook_url: 'https://team.example/hook', webhook_verification_key: 'team-key-123' },
  ours: 'https://tunnel.example/webhook',
  recorded_at: '2026-11-30T00:00:00.000Z',
  ...over,
});

describe('webhook record', () => {
  it('is written whole with mode 0600 in a 0700 folder, read back, and removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apichat-record-'));
    try {
      const path = writeRecord(record(), dir);
      assert.equal(path, recordPath('ws 1/2', dir));
      assert.match(path, /\.apichat-bdd\/previous-webhook-ws_1_2\.json$/);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, STATE_DIR)).mode & 0o777, 0o700);
      assert.deepEqual(readdirSync(join(dir, STATE_DIR)), ['previous-webhook-ws_1_2.json'], 'no temporary file left');
      assert.deepEqual(readRecord('ws 1/2', dir), record());
      removeRecord('ws 1/2', dir);
      assert.equal(readRecord('ws 1/2', dir), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a damaged record is one APICHAT_WEBHOOK_RECORD line that says to delete it, without its contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apichat-record-'));
    try {
      mkdirSync(join(dir, STATE_DIR));
      writeFileSync(recordPath('ws', dir), '{"workspace_id":"ws","previous":{"webhook_verification_key":"leak-me"}');
      assert.throws(() => readRecord('ws', dir), (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_WEBHOOK_RECORD'));
        assert.match(e.message, /is not a webhook record of workspace ws; delete it/);
        assert.doesNotMatch(e.message, /leak-me|\n/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the webhook to put back: the recorded one while ours is still registered (a killed run), else the current one', () => {
    const rec = record();
    assert.deepEqual(previousFor({ webhook_url: rec.ours, webhook_verification_key: 'dead' }, rec), { previous: rec.previous, recovered: true });
    const changed = { webhook_url: 'https://someone.example/new', webhook_verification_key: 'k2' };
    assert.deepEqual(previousFor(changed, rec), { previous: changed, recovered: false });
    assert.deepEqual(previousFor({}, undefined), { previous: null, recovered: false });
    assert.deepEqual(previousFor({ webhook_url: rec.ours }, record({ previous: null })), { previous: null, recovered: true });
  });
});

describe('APICHAT_RUN', () => {
  const good = { mode: 'live', inboxUrl: 'http://127.0.0.1:4567', inboxToken: 'a'.repeat(64), botUrl: 'https://b/x', flowKey: 'k', timing: { replyTimeoutMs: 1, quietMs: 1, settleMs: 0 }, later: 1 };

  it('is parsed and checked; unknown fields pass through', () => {
    assert.deepEqual(parseSharedRun(JSON.stringify(good)), good);
  });

  it('anything else is one APICHAT_RUN_INVALID line naming APICHAT_RUN, never echoing it', () => {
    for (const raw of ['not json', JSON.stringify({ ...good, inboxToken: undefined }), JSON.stringify({ ...good, inboxUrl: 'http://evil.example:1' })]) {
      assert.throws(() => parseSharedRun(raw), (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_RUN_INVALID'));
        assert.equal(e.variable, 'APICHAT_RUN');
        assert.doesNotMatch(e.message, /aaaa|\n/);
        return true;
      });
    }
  });
});
