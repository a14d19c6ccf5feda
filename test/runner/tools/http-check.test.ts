import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createToolRegistry, type ToolRegistry } from '../../../src/runner/tool-registry.js';
import type { ToolContext } from '../../../src/runner/tools/types.js';
import { contextFor, freePort } from './sandbox.js';

describe('http_check', () => {
  let server: http.Server;
  let base: string;
  let ctx: ToolContext;
  let tools: ToolRegistry;

  beforeAll(async () => {
    // /slow never answers: the check's own timeout has to end it.
    server = http.createServer((req, res) => {
      if (req.url === '/slow') return;
      if (req.url === '/moved') return res.writeHead(302, { location: '/' }).end();
      res.writeHead(req.url === '/missing' ? 404 : 200).end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ctx = contextFor({}, process.cwd());
    tools = await createToolRegistry(ctx.config);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reports 200 as ok with its latency', async () => {
    const out = await tools.call('http_check', { url: `${base}/` }, ctx);
    expect(out).toMatchObject({ status: 200, ok: true });
    expect(out.latency_ms).toBeGreaterThanOrEqual(0);
    expect(out).not.toHaveProperty('error');
  });

  it('counts a redirect as ok without following it', async () => {
    expect(await tools.call('http_check', { url: `${base}/moved` }, ctx)).toMatchObject({ status: 302, ok: true });
  });

  it('is not ok when the status is not the expected one', async () => {
    expect(await tools.call('http_check', { url: `${base}/`, expect_status: 204 }, ctx)).toMatchObject({ status: 200, ok: false });
    expect(await tools.call('http_check', { url: `${base}/missing` }, ctx)).toMatchObject({ status: 404, ok: false });
    expect(await tools.call('http_check', { url: `${base}/missing`, expect_status: 404 }, ctx)).toMatchObject({ status: 404, ok: true });
  });

  it('reports a closed port as not ok with the reason instead of throwing', async () => {
    const port = await freePort();
    const out = await tools.call('http_check', { url: `http://127.0.0.1:${port}/` }, ctx);
    expect(out).toMatchObject({ status: null, ok: false });
    expect(out.error).toMatch(/ECONNREFUSED/);
  });

  it('gives up after timeout_ms when the server does not answer', async () => {
    const out = await tools.call('http_check', { url: `${base}/slow`, timeout_ms: 200 }, ctx);
    expect(out).toMatchObject({ status: null, ok: false, error: 'timed out after 200 ms' });
    expect(out.latency_ms).toBeLessThan(3000);
  });

  it('rejects a URL that is not http or https', async () => {
    await expect(tools.call('http_check', { url: 'file:///etc/passwd' }, ctx)).rejects.toThrow(/input\.url: must be an http or https URL/);
  });
});
