// The OpenAPI document the service serves: 3.1, one operation per route with reference 002's
// paths, and every schema it names compiles (each $ref resolves) in a JSON Schema 2020-12
// validator, so the answer checks of the other API tests rest on a sound document.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

import { useApi } from './support/api-rig.js';

const api = useApi();

const REFERENCE_002 = [
  'post /v1/runbooks',
  'get /v1/runbooks',
  'get /v1/runbooks/{id}',
  'put /v1/runbooks/{id}',
  'delete /v1/runbooks/{id}',
  'post /v1/runbooks/{id}/archive',
  'post /v1/runbooks/{id}/steps',
  'put /v1/runbooks/{id}/steps/{step_id}',
  'delete /v1/runbooks/{id}/steps/{step_id}',
  'put /v1/runbooks/{id}/steps/reorder',
  'post /v1/runbooks/{id}/runs',
  'get /v1/runbooks/runs',
  'get /v1/runbooks/runs/{run_id}',
  'get /v1/runbooks/runs/{run_id}/current',
  'post /v1/runbooks/runs/{run_id}/advance',
  'post /v1/runbooks/runs/{run_id}/skip',
  'post /v1/runbooks/runs/{run_id}/fail',
  'put /v1/runbooks/runs/{run_id}',
];

describe('GET /v1/openapi.json', () => {
  it('describes every endpoint of reference 002, and ours, as OpenAPI 3.1', async () => {
    const doc = (await (await fetch(api.url('/v1/openapi.json'))).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(operations).toEqual(expect.arrayContaining([...REFERENCE_002, 'post /v1/runbooks/{id}/fork', 'post /v1/runbooks/{id}/publish', 'post /v1/runbooks/runs/{run_id}/approve']));
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has schemas that all compile, with every reference resolved', async () => {
    const doc = (await (await fetch(api.url('/v1/openapi.json'))).json()) as { components: { schemas: Record<string, unknown> } };
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: 'https://runbook-bot.test/openapi.json' });
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Error', 'Runbook', 'Run', 'Current', 'CreateRunbook', 'AdvanceStep']));
    for (const name of names) {
      expect(() => ajv.getSchema(`https://runbook-bot.test/openapi.json#/components/schemas/${name}`), name).not.toThrow();
    }
    const advance = ajv.getSchema('https://runbook-bot.test/openapi.json#/components/schemas/AdvanceStep');
    expect(advance?.({ outcome: 'pass', notes: 'ok', output: { n: 1 } })).toBe(true);
    expect(advance?.({ outcome: 'pass', unknown: 1 })).toBe(false);
  });
});
