// Found by the scale harness: an API step command (advance, skip, fail: no step named) sent
// to an instance whose cached copy of the run was behind (another instance had moved the run)
// was refused as stale, though it aimed at the current step: the run service pinned it to the
// step of its cached copy and kept the pin after reading the run again. One instance answers
// 200; so must two.
import { describe, expect, it } from 'vitest';

import { useCluster } from './use-cluster.js';

const cluster = useCluster({ instances: 2, devices: [] });

async function post(instance: number, path: string, body: unknown): Promise<{ status: number; json: { data?: { id?: string; status?: string }; error?: { message?: string } } }> {
  const res = await fetch(`http://127.0.0.1:${cluster().instances[instance]!.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster().apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe('an API advance at an instance that last saw the run several steps ago', () => {
  it('applies to the current step, as it would with one instance', async () => {
    const started = await post(0, `/v1/runbooks/${cluster().snapshots.quick.runbook_id}/runs`, {});
    expect(started.status).toBe(201);
    const runId = started.json.data!.id!;
    // Instance 1 moves the run to "Two" (and caches it there); instance 2 moves it on to "Three".
    expect((await post(0, `/v1/runbooks/runs/${runId}/advance`, {})).status).toBe(200);
    expect((await post(1, `/v1/runbooks/runs/${runId}/advance`, {})).status).toBe(200);
    // The agent advances "Three" through instance 1, after both answers came back.
    const third = await post(0, `/v1/runbooks/runs/${runId}/advance`, {});
    expect({ status: third.status, message: third.json.error?.message }).toEqual({ status: 200, message: undefined });
  }, 60_000);
});
