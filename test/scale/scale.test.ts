// The model-based scale test: 3 bot instances and 3 device runners as real processes on one
// database and one Redis (one QUEUE_PREFIX), driven with clicks and API calls spread over
// the instances, duplicates, retried deliveries and stale clicks included; every run must end
// as the single-process model of the same commands says (model.ts), with one live message,
// one thread reply per finished step visit and one tool execution per call (checks.ts).
// SCALE_RUNS sets how many runs (default 60, about a minute of driving here);
// `npm run bench -- scale` drives 1,000 at 1, 2 and 3 instances and reports throughput.
import { appendFile, writeFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { checkDrive, describeProblems, type CheckReport } from './checks.js';
import { drive, type DriveResult } from './driver.js';
import { useCluster } from './use-cluster.js';

const RUNS = Number(process.env.SCALE_RUNS ?? 60);
const SEED = Number(process.env.SCALE_SEED ?? Date.now() % 1_000_000);
let driven: { result: DriveResult; report: CheckReport } | undefined;
const cluster = useCluster({
  instances: 3,
  devices: ['scale-dev-1', 'scale-dev-2', 'scale-dev-3'],
  // The reconcilers and periodic passes run often on every instance, as they would over hours.
  env: { RECONCILE_INTERVAL_MS: '2000' },
});

describe('three instances and three runners on one store', () => {
  it(`end ${RUNS} runs as one process would (seed ${SEED}), with no duplicate post, reply or tool call`, async () => {
    const result = await drive({ cluster: cluster(), runs: RUNS, lanes: 12, seed: SEED, observeTimeoutMs: 30_000 });
    const report = await checkDrive(cluster(), result);
    driven = { result, report };
    // SCALE_REPORT=FILE keeps every problem and every run's trail, for reading at leisure.
    if (process.env.SCALE_REPORT) await writeFile(process.env.SCALE_REPORT, JSON.stringify({ seed: SEED, problems: report.problems, anomalies: result.anomalies, runs: result.records.map((r) => ({ index: r.index, runId: r.runId, kind: r.kind, via: r.startedVia, trail: r.trail })) }, null, 2));
    const summary = `seed ${SEED}: ${RUNS} runs, ${result.commands} commands in ${result.requests} requests; final ${JSON.stringify(report.statuses)}`;
    const problems = report.problems.filter((p) => p.finding !== 'note');
    expect(problems, `${summary}\n\n${describeProblems(problems)}`).toEqual([]);
    expect(result.anomalies, summary).toEqual([]);
    expect(report.livePosts).toBe(RUNS);
    expect(report.strayPosts).toBe(0);
  }, 600_000);

  it('would notice a second live message, a second reply for a step visit and a tool run twice', async () => {
    if (!driven) return;
    const { fake } = cluster();
    const runs = driven.result.records.filter((r) => r.runId && r.ts && r.model && !r.diverged);
    const posted = runs[0]!;
    const replied = runs.find((r) => fake.threadReplies(r.channel, r.ts!).some((m) => /^✓ \*Step/.test(String((m.blocks?.[0] as { text?: { text?: string } })?.text?.text))))!;
    const tooled = runs.find((r) => r.device && (r.model!.toolCalls.get('probe') ?? 0) > 0)!;
    fake.record({ channel: posted.channel, text: 'a second live message', user: 'UBOT', bot_id: 'B0RUNBOOK' });
    const reply = fake.threadReplies(replied.channel, replied.ts!).find((m) => /^✓ \*Step/.test(String((m.blocks?.[0] as { text?: { text?: string } })?.text?.text)))!;
    fake.record({ channel: replied.channel, thread_ts: replied.ts!, ...(reply.text ? { text: reply.text } : {}), ...(reply.blocks ? { blocks: reply.blocks } : {}), user: 'UBOT', bot_id: 'B0RUNBOOK' });
    await appendFile(cluster().devices.find((d) => d.id === tooled.device)!.probeLog, `${tooled.tag} probe ${tooled.device}\n`);

    const before = new Set(driven.report.problems.map((p) => `${p.runId} ${p.what}`));
    const found = (await checkDrive(cluster(), driven.result)).problems.filter((p) => !before.has(`${p.runId} ${p.what}`));
    expect(found.map((p) => [p.finding, p.runId, p.what.split(':')[0]]).sort()).toEqual(
      [
        ['duplicate', posted.runId, `2 live messages in ${posted.channel}`],
        ['duplicate', replied.runId, 'thread replies beyond one per finished step visit'],
        ['duplicate', tooled.runId, `tool step probe ran ${tooled.model!.toolCalls.get('probe')! + 1} time(s), the model asked ${tooled.model!.toolCalls.get('probe')}`],
      ].sort(),
    );
  }, 120_000);
});
