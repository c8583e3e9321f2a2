// Partner API: the get / set responses and the paths the platform documents.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PartnerResponseSchema, SetWebhookRequestSchema, WebhookInfoSchema, partnerPaths } from '../../src/protocol/index.ts';
import { pageJson } from './page.ts';

const pageData = {
  webhook_url: 'https://your-webhook-url/',
  webhook_verification_key: 'VERIFICATION_TOKEN',
  webhook_status: 'verified',
  bot_url: 'https://bot.dfktv2.com/api/apichat/{{unique_code_to_bot}}',
};

describe('partner responses', () => {
  for (const name of ['partner-get-response', 'partner-set-response']) {
    it(`${name} of the page parses`, () => {
      const raw = pageJson(name);
      const r = PartnerResponseSchema.parse(raw);
      assert.deepEqual(r, { status: 'ok', data: pageData });
    });
  }

  it('a response with nulls (no webhook set) parses', () => {
    const raw = {
      status: 'ok',
      data: { webhook_url: null, webhook_verification_key: null, webhook_status: null, bot_url: 'https://bot.dfktv2.com/api/apichat/abc' },
    };
    assert.deepEqual(PartnerResponseSchema.parse(raw), raw);
  });

  it('data null, data missing, and an empty data object parse', () => {
    assert.deepEqual(PartnerResponseSchema.parse({ status: 'ok', data: null }), { status: 'ok', data: null });
    assert.deepEqual(PartnerResponseSchema.parse({ status: 'ok' }), { status: 'ok' });
    assert.deepEqual(PartnerResponseSchema.parse({ status: 'ok', data: {} }), { status: 'ok', data: {} });
  });

  it('unknown fields are kept', () => {
    const raw = { status: 'ok', message: 'done', data: { ...pageData, created_at: '2024-01-01' } };
    assert.deepEqual(PartnerResponseSchema.parse(raw), raw);
  });

  it('rejects a body without status or with a non-string url', () => {
    assert.equal(PartnerResponseSchema.safeParse({ data: pageData }).success, false);
    assert.equal(PartnerResponseSchema.safeParse({ status: 'ok', data: { webhook_url: 5 } }).success, false);
    assert.equal(WebhookInfoSchema.safeParse({ bot_url: ['x'] }).success, false);
    assert.equal(PartnerResponseSchema.safeParse('ok').success, false);
  });

  it('set request body', () => {
    const req = { webhook_url: 'https://hooks.example.com/apichat', webhook_verification_key: 'k' };
    assert.deepEqual(SetWebhookRequestSchema.parse(req), req);
    assert.equal(SetWebhookRequestSchema.safeParse({ ...req, webhook_url: 'not a url' }).success, false);
    assert.equal(SetWebhookRequestSchema.safeParse({ ...req, webhook_verification_key: '' }).success, false);
  });
});

describe('partnerPaths', () => {
  it('produce the documented paths', () => {
    assert.equal(partnerPaths.get('1234'), '/partner/workspace/1234/apichat-webhook');
    assert.equal(partnerPaths.set('1234'), '/partner/workspace/1234/set-apichat-webhook');
    assert.equal(partnerPaths.setLegacy('1234'), '/partner/workspace/1234/apichat-webhook');
    assert.equal(partnerPaths.remove('1234'), '/partner/workspace/1234/remove-apichat-webhook');
  });

  it('joined to the base URL they give the page endpoints', () => {
    const base = 'https://www.uchat.com.au/api';
    assert.equal(base + partnerPaths.get('77'), 'https://www.uchat.com.au/api/partner/workspace/77/apichat-webhook');
    assert.equal(base + partnerPaths.set('77'), 'https://www.uchat.com.au/api/partner/workspace/77/set-apichat-webhook');
    assert.equal(base + partnerPaths.remove('77'), 'https://www.uchat.com.au/api/partner/workspace/77/remove-apichat-webhook');
  });

  it('encode odd workspace ids', () => {
    assert.equal(partnerPaths.get('a/b'), '/partner/workspace/a%2Fb/apichat-webhook');
    assert.equal(partnerPaths.set('ws 1?x=y#z'), '/partner/workspace/ws%201%3Fx%3Dy%23z/set-apichat-webhook');
    assert.equal(partnerPaths.remove('ü&%'), '/partner/workspace/%C3%BC%26%25/remove-apichat-webhook');
    assert.equal(partnerPaths.setLegacy('x/y'), '/partner/workspace/x%2Fy/apichat-webhook');
    // An encoded id stays one path segment once resolved against the base.
    const url = new URL(`https://www.uchat.com.au/api${partnerPaths.get('a/b?c')}`);
    assert.equal(url.pathname, '/api/partner/workspace/a%2Fb%3Fc/apichat-webhook');
    assert.equal(url.search, '');
  });
});
