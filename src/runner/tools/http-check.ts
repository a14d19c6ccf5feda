// http_check: one GET on a fresh connection (no keep-alive pool, no redirects followed), its
// status and time to the response headers. A failure to answer is a result (ok: false with
// the reason), not an error: "the site is down" is what a check is for.
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';

import { ToolError, type Tool } from './types.js';

const Input = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  expect_status: z.number().int().min(100).max(599).optional(),
  timeout_ms: z.number().int().min(1).max(300_000).default(10_000),
});
type Input = z.output<typeof Input>;

interface Answer {
  status: number | null;
  error?: string;
}

function get(url: string, timeoutMs: number, signal: AbortSignal): Promise<Answer> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const done = (answer: Answer) => {
      clearTimeout(timer);
      resolve(answer);
    };
    const req = client.get(url, { agent: false, signal, headers: { 'user-agent': 'runbook-bot-runner' } }, (res) => {
      done({ status: res.statusCode ?? null });
      res.destroy(); // the body is not needed
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const reason = e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
      done({ status: null, error: reason });
    });
  });
}

export const httpCheckTool: Tool<Input> = {
  name: 'http_check',
  description: 'GET a URL and report its status and latency; ok when the status is the expected one (default any 2xx or 3xx).',
  input: Input,
  async run(input, ctx) {
    const refusal = ctx.machine.urlRefusal(new URL(input.url));
    if (refusal !== null) throw new ToolError(`http_check may not fetch ${input.url}: ${refusal}`);
    const started = performance.now();
    const answer = await get(input.url, input.timeout_ms, ctx.signal);
    const latency = Math.round(performance.now() - started);
    const status = answer.status;
    const ok = status !== null && (input.expect_status === undefined ? status >= 200 && status < 400 : status === input.expect_status);
    return {
      url: input.url,
      status,
      ok,
      latency_ms: latency,
      ...(answer.error !== undefined ? { error: answer.error } : {}),
      ...(status !== null && !ok ? { error: `status ${status}, expected ${input.expect_status ?? '2xx or 3xx'}` } : {}),
    };
  },
};
