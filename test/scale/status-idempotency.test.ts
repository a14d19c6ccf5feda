// Found by the scale harness: `PUT /v1/runbooks/runs/:id {"status": "running"}` sent twice
// with one Idempotency-Key (a client retrying while the first is in flight) answers 200 to
// one and 409 to the other. The route reads the run to choose the command (paused → resume,
// failed → retry) before the key is looked at: the second read, made once the first resumed
// the run, finds it running, and `running` from running is refused as a conflict. The key's
// contract (docs/api.md: the same key changes a run once and gets the same answer) holds for
// the change, not for the answer.
import { describe, expect, it } from 'vitest';

import { useCluster } from './use-cluster.js';

const cluster = useCluster({ instances: 1, devices: [] });

async function call(method: string, path: string, body: unknown, key?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${cluster().instances[0]!.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${cluster().apiKey}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}

describe('a status change sent twice with one Idempotency-Key', () => {
  it('gets the same answer both times', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const started = JSON.parse((await call('POST', `/v1/runbooks/${cluster().snapshots.quick.runbook_id}/runs`, {})).body) as { data: { id: string } };
      const run = `/v1/runbooks/runs/${started.data.id}`;
      expect((await call('PUT', run, { status: 'paused' })).status).toBe(200);
      // The retry leaves a few ms after the first, as a client's does after a dropped connection.
      const first = call('PUT', run, { status: 'running' }, `resume-${i}`);
      await new Promise((r) => setTimeout(r, i % 5));
      const second = call('PUT', run, { status: 'running' }, `resume-${i}`);
      const a = await first;
      const b = await second;
      answers.push(a.status === b.status ? `${a.status} ${b.status}` : `${a.status} ${b.status} ${[a, b].find((x) => x.status !== 200)?.body}`);
    }
    expect(answers.filter((a) => a !== '200 200')).toEqual([]);
  }, 120_000);
});
