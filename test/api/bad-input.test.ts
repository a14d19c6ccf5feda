// Every kind of bad request gets its documented status and a message naming the problem, and
// leaves the store exactly as it was; the same Idempotency-Key changes a run once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { useApi } from './support/api-rig.js';

const api = useApi();
let key = '';
let reader = '';
let runId = '';
let runbookId = '';

beforeAll(async () => {
  key = await api.key('bad-input-agent', ['read', 'run', 'author']);
  reader = await api.key('reader', ['read']);
  const created = await api.request('POST', '/v1/runbooks', {
    key,
    body: { name: 'Target', steps: [{ label: 'One', instruction: '1', required: false }, { label: 'Two', instruction: '2' }, { label: 'Three', instruction: '3' }] },
  });
  runbookId = created.body.data.id;
  runId = (await api.request('POST', `/v1/runbooks/${runbookId}/runs`, { key, body: {} })).body.data.id;
});
afterAll(() => {
  expect(api.mismatches).toEqual([]);
});

const snapshot = async () => {
  const [run, runbook, runs] = await Promise.all([
    api.request('GET', `/v1/runbooks/runs/${runId}`, { key }),
    api.request('GET', `/v1/runbooks/${runbookId}`, { key }),
    api.request('GET', `/v1/runbooks/runs?runbook_id=${runbookId}`, { key }),
  ]);
  return { run: run.body, runbook: runbook.body, runs: runs.body };
};

describe('bad requests change nothing', () => {
  const advance = `/v1/runbooks/runs/{run}/advance`;
  const cases: { name: string; method?: string; path?: string; opts: () => Parameters<typeof api.request>[2]; status: number; code: string; message?: RegExp; problem?: string }[] = [
    { name: 'no key', opts: () => ({ body: {} }), status: 401, code: 'unauthorized', message: /missing API key/ },
    { name: 'an unknown key', opts: () => ({ key: 'rbk_0000000000000000000000000000000000000000', body: {} }), status: 401, code: 'unauthorized' },
    { name: 'a key without the run scope', opts: () => ({ key: reader, body: {} }), status: 403, code: 'forbidden', message: /lacks the "run" scope/ },
    { name: 'malformed JSON', opts: () => ({ key, raw: '{"outcome": "done",' }), status: 422, code: 'validation_error', problem: 'body' },
    { name: 'a body that is not an object', opts: () => ({ key, raw: '["done"]' }), status: 422, code: 'validation_error', problem: 'body' },
    { name: 'a wrong type', opts: () => ({ key, body: { outcome: 5 } }), status: 422, code: 'validation_error', problem: 'outcome' },
    { name: 'an unknown field', opts: () => ({ key, body: { outcome: 'done', outcom: 'x' } }), status: 422, code: 'validation_error', problem: 'outcom' },
    { name: 'an outcome over 100 characters', opts: () => ({ key, body: { outcome: 'a'.repeat(101) } }), status: 422, code: 'validation_error', problem: 'outcome' },
    { name: 'notes over 10,000 characters', opts: () => ({ key, body: { notes: 'n'.repeat(10_001) } }), status: 422, code: 'validation_error', problem: 'notes' },
    { name: 'a 51 KB output', opts: () => ({ key, body: { output: { blob: 'x'.repeat(51 * 1024) } } }), status: 422, code: 'validation_error', problem: 'output', message: /50 KB/ },
    { name: 'a 1 MB body', opts: () => ({ key, body: { notes: 'x'.repeat(1024 * 1024) } }), status: 413, code: 'payload_too_large' },
    { name: 'a body that is not JSON', opts: () => ({ key, raw: 'outcome=done', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), status: 415, code: 'unsupported_media_type' },
    { name: 'an unknown run', path: '/v1/runbooks/runs/run_000000000000/advance', opts: () => ({ key, body: {} }), status: 404, code: 'not_found' },
    { name: 'an unknown endpoint', path: '/v1/runbooks/runs/{run}/finish', opts: () => ({ key, body: {} }), status: 404, code: 'not_found' },
    { name: 'a wrong method', method: 'DELETE', opts: () => ({ key }), status: 405, code: 'method_not_allowed' },
    { name: 'a malformed Idempotency-Key', opts: () => ({ key, body: {}, headers: { 'idempotency-key': 'has space' } }), status: 422, code: 'validation_error', message: /Idempotency-Key/ },
    { name: 'an invalid status', path: '/v1/runbooks/runs/{run}', method: 'PUT', opts: () => ({ key, body: { status: 'completed' } }), status: 422, code: 'validation_error', problem: 'status' },
    { name: 'a path with broken percent-encoding', path: '/v1/runbooks/runs/run_%E0%A4%A/advance', opts: () => ({ key, body: {} }), status: 422, code: 'validation_error', problem: 'path.run_id' },
    { name: 'a bad list cursor', path: '/v1/runbooks/runs?cursor=nonsense', method: 'GET', opts: () => ({ key }), status: 422, code: 'validation_error', message: /cursor/ },
  ];

  for (const c of cases) {
    it(`answers ${c.status} to ${c.name}`, async () => {
      const before = await snapshot();
      const answer = await api.request(c.method ?? 'POST', (c.path ?? advance).replace('{run}', runId), c.opts());
      expect(answer.status).toBe(c.status);
      expect(answer.body.error.code).toBe(c.code);
      if (c.message) expect(answer.body.error.message).toMatch(c.message);
      if (c.problem) expect(answer.body.error.problems.map((p: { path: string }) => p.path)).toContain(c.problem);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('refuses a revoked key at once (with the key cache off)', async () => {
    const doomed = await api.key('doomed', ['read']);
    expect((await api.request('GET', '/v1/runbooks', { key: doomed })).status).toBe(200);
    await api.revoke('doomed');
    const answer = await api.request('GET', '/v1/runbooks', { key: doomed });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('serves the OpenAPI document without a key', async () => {
    const doc = await fetch(api.url('/v1/openapi.json'));
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});

describe('Idempotency-Key', () => {
  it('applies an advance once and answers the repeat with the same answer', async () => {
    const run = (await api.request('POST', `/v1/runbooks/${runbookId}/runs`, { key, body: {} })).body.data;
    const send = () => api.request('POST', `/v1/runbooks/runs/${run.id}/advance`, { key, body: { notes: 'once' }, headers: { 'idempotency-key': 'adv-1' } });
    const first = await send();
    const again = await send();
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    const now = await api.request('GET', `/v1/runbooks/runs/${run.id}/current`, { key });
    expect(now.body.data.current_step.label).toBe('Two');
    const reused = await api.request('POST', `/v1/runbooks/runs/${run.id}/advance`, { key, body: { notes: 'different' }, headers: { 'idempotency-key': 'adv-1' } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.message).toMatch(/already used with a different request/);
  });

  it('changes the run once when the same advance arrives five times at once', async () => {
    const run = (await api.request('POST', `/v1/runbooks/${runbookId}/runs`, { key, body: {} })).body.data;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.request('POST', `/v1/runbooks/runs/${run.id}/advance`, { key, body: {}, headers: { 'idempotency-key': 'burst' } })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const now = await api.request('GET', `/v1/runbooks/runs/${run.id}`, { key });
    expect(now.body.data.progress.completed).toBe(1);
    expect(now.body.data.current_step.label).toBe('Two');
  });

  it('starts one run for the same key, even five at once, and another for a new key', async () => {
    const start = (k: string) => api.request('POST', `/v1/runbooks/${runbookId}/runs`, { key, body: {}, headers: { 'idempotency-key': k } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => start('start-1')));
    const ids = new Set(answers.map((a) => a.body.data.id));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(ids.size).toBe(1);
    const other = await start('start-2');
    expect(ids.has(other.body.data.id)).toBe(false);
  });
});
