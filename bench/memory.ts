// Resident memory of the bot holding many active runs: the real service (`src/main.ts`, Slack
// off) as a child process; 10,000 runs started through its REST API, each stopped at an
// approval gate; the child's VmRSS (Linux /proc) after start, after the runs, after a forced
// reconcile pass (a restart on the same data: the bot reads the runs it finds); while it
// holds them, sampled each second for HOLD_SECONDS. Goal (the embedded store's issue):
// ≤ 250 MB with 10,000 active runs, against the highest sample.
import { readFile } from 'node:fs/promises';

import { createApiKeyStore } from '../src/models/api-key-store.js';
import { startServiceProcess, type ServiceProcess } from '../test/support/service-process.js';
import { benchBackends, deleteQueueKeys, loadAverage, openBenchEnv, table, type Backend } from './support.js';

const RUNS = Number(process.env.BENCH_MEMORY_RUNS ?? 10_000);
const CONCURRENCY = 20;
const GOAL_MB = 250;
const HOLD_SECONDS = Number(process.env.BENCH_MEMORY_HOLD_SECONDS ?? 40);
const GATED = {
  name: 'Gated change',
  steps: [
    { label: 'Prepare', instruction: 'Get the change ready.' },
    { label: 'Approve', type: 'gate', approvers: ['U0APPROVER'] },
    { label: 'Apply', instruction: 'Apply the change.' },
  ],
};

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function api(base: string, key: string, path: string, body: unknown, expect: number): Promise<{ data: { id: string } }> {
  const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== expect) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { data: { id: string } };
}

async function onBackend(backend: Backend): Promise<string> {
  const env = await openBenchEnv(backend);
  // SLACK_MODE=off: the figure is the bot's with Slack off, as it was before the sandbox existed.
  const serviceEnv = { MONGODB_URI: env.uri, REDIS_URL: env.redisUrl, QUEUE_PREFIX: env.prefix, LOG_LEVEL: 'info', API_RATE_LIMIT: '1000000', SLACK_MODE: 'off' };
  let bot: ServiceProcess | undefined;
  try {
    const { key } = await createApiKeyStore(env.conn).create('bench', ['read', 'run', 'author'], { kind: 'cli', id: 'bench' });
    bot = await startServiceProcess(serviceEnv, 120_000);
    const base = `http://127.0.0.1:${bot.port}`;
    const rows: (string | number)[][] = [];
    rows.push(['started, no runs', (await rssMb(bot.child.pid!)).toFixed(0)]);
    const runbookId = (await api(base, key, '/v1/runbooks', GATED, 201)).data.id;
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < RUNS) {
          next += 1;
          const { data } = await api(base, key, `/v1/runbooks/${runbookId}/runs`, { variables: {} }, 201);
          await api(base, key, `/v1/runbooks/runs/${data.id}/advance`, { notes: 'prepared' }, 200);
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    rows.push([`${RUNS.toLocaleString('en-US')} runs started and waiting at the gate (${(RUNS / seconds).toFixed(0)} runs/s over the API)`, (await rssMb(bot.child.pid!)).toFixed(0)]);
    // Holding them: RSS moves with the garbage collector's cycle and the periodic reconcile
    // passes (every 30 s by default), so one sample can land anywhere in it.
    const held: number[] = [];
    for (let s = 0; s < HOLD_SECONDS; s += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      held.push(await rssMb(bot.child.pid!));
    }
    held.sort((a, b) => a - b);
    rows.push([`holding them, ${HOLD_SECONDS} s sampled each second: highest`, held.at(-1)!.toFixed(0)]);
    rows.push([`holding them: median`, held[Math.floor(held.length / 2)]!.toFixed(0)]);
    await bot.stop();
    // The same data, a fresh process: it reconciles waits and tool calls over every run at start.
    bot = await startServiceProcess(serviceEnv, 120_000);
    rows.push(['restarted on that data (start-up reconcile done)', (await rssMb(bot.child.pid!)).toFixed(0)]);
    const active = await env.conn.collection('runs').countDocuments({ status: 'running' });
    const peak = Math.max(...rows.map((r) => Number(r[1])));
    return [
      `${env.server}; the bot as a child process (node ${process.version}, tsx); ${active.toLocaleString('en-US')} active runs in the store at the end; load average ${loadAverage()}; ${new Date().toISOString().slice(0, 10)}`,
      table(['bot state', 'RSS (MB)'], rows),
      `peak RSS ${peak.toFixed(0)} MB (goal ≤ ${GOAL_MB} MB): ${peak <= GOAL_MB ? 'PASS' : 'FAIL'}`,
    ].join('\n');
  } finally {
    await bot?.stop();
    await deleteQueueKeys(env.redisUrl, env.prefix);
    await env.close();
  }
}

export async function benchMemory(): Promise<string> {
  const parts = ['Resident memory of the bot with many active runs'];
  for (const backend of benchBackends()) parts.push(await onBackend(backend));
  return parts.join('\n\n');
}
