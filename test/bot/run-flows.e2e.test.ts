// Runs driven end to end through the real Bolt app, only by what a person does in Slack:
// clicking the buttons the live message shows, answering the fail modal, typing /runbook.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { ViewId } from '../../src/bot/slack-ids.js';
import { formatDuration } from '../../src/bot/views/run-format.js';
import { buildRunMessage } from '../../src/bot/views/run-message.js';
import type { Run } from '../../src/engine/index.js';
import { DEFAULT_CHANNEL, fakeTriggerId, plainTextInputValues, viewSubmissionPayload } from '../support/slack-requests.js';
import { useBotRig } from './support/bot-rig.js';
import { startRun, textOf, updatesOf, withoutClock, type LiveRun } from './support/run-message.js';

const rig = useBotRig();

const APPROVER = 'U012AB3CD';

/** The design's "Deploy to Production" (reference 002 plus a wait and a gate), waiting 1 s instead of 30. */
function deployToProduction(): Record<string, unknown> {
  const text = readFileSync(new URL('../fixtures/definitions/design-deploy-to-production.yaml', import.meta.url), 'utf8');
  const definition = parseYaml(text) as { steps: Array<Record<string, unknown>> };
  const wait = definition.steps.find((s) => s.type === 'wait')!;
  wait.wait_seconds = 1;
  return definition;
}

const stepOf = (run: Run, label: string) => {
  const def = run.runbook.steps.find((s) => s.label === label)!;
  return { def, state: run.steps.find((s) => s.step_id === def.id)! };
};

/** The thread as a reader skims it: each reply's first line. */
const threadHeadings = (live: LiveRun) =>
  rig().fake.threadReplies(live.channel, live.ts).map((m) => textOf(m).split('\n')[0]);

/** The message equals a fresh render of the stored run (but for the ticking "so far"). */
async function expectRenderedFromStore(live: LiveRun): Promise<void> {
  const run = await rig().app.service.get(live.runId);
  expect(withoutClock(live.message())).toBe(withoutClock(buildRunMessage(run, { now: Date.now() })));
}

describe('Deploy to Production, driven by clicks', () => {
  it('fails the tests, loops through the fix, waits a second by itself and completes once an approver approves', async () => {
    const { fake, publish } = rig();
    await publish(deployToProduction());
    const since = fake.calls.length;
    const live = await startRun(rig, 'deploy-to-production version=2.5.0');

    expect(live.text()).toContain('Step 1/6 · Pull latest code*\nPull 2.5.0.');
    expect(live.labels()).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    await live.clickOk('Done');

    // A check: one button per outcome, routed by next_on_outcome.
    expect(live.text()).toContain('Step 2/6 · Run test suite*');
    expect(live.buttons().map((b) => [b.label, b.action_id])).toEqual([
      ['pass', 'run_outcome:pass'],
      ['fail', 'run_outcome:fail'],
      ['Fail', 'run_fail'],
      ['Pause', 'run_pause'],
      ['Cancel', 'run_cancel'],
    ]);
    await live.clickOk('fail');
    expect(live.text()).toContain('Step 3/6 · Fix failures*');

    let { run } = await live.clickOk('Done');
    expect(run.current_step_id).toBe(stepOf(run, 'Run test suite').def.id);
    expect(live.text()).toContain('Step 2/6 · Run test suite* (visit 2)');

    ({ run } = await live.clickOk('pass'));
    expect(live.text()).toContain('Step 4/6 · Deploy*\nDeploy 2.5.0 to production.');

    // The wait: no Done, a due time, and it fires by itself through BullMQ.
    ({ run } = await live.clickOk('Done'));
    expect(run.status).toBe('waiting');
    expect(run.wait?.kind).toBe('wait');
    expect(live.text()).toContain(`⏳ Waiting until <!date^${Math.floor(run.wait!.due_at / 1000)}^`);
    expect(live.labels()).toEqual(['Pause', 'Cancel']);
    await fake.waitFor(() => live.labels().includes('Approve'), { timeoutMs: 10_000 });
    await rig().app.notifier?.idle();

    // The gate lists a user and a user group; the clicker is the listed user.
    expect(live.text()).toContain(`🔐 Needs approval from <@${APPROVER}>, <!subteam^S0614TZR7>`);
    expect(live.labels()).toEqual(['Approve', 'Reject', 'Fail', 'Pause', 'Cancel']);
    ({ run } = await live.clickOk('Approve', { user: APPROVER, userName: 'dana' }));

    expect(run.status).toBe('completed');
    expect(run.current_step_id).toBeNull();
    expect(run.steps.map((s) => [run.runbook.steps.find((d) => d.id === s.step_id)!.label, s.status, s.outcome, s.visits, s.actor?.id ?? null])).toEqual([
      ['Pull latest code', 'completed', 'done', 1, 'U0ALICE'],
      ['Run test suite', 'completed', 'pass', 2, 'U0ALICE'],
      ['Fix failures', 'completed', 'done', 1, 'U0ALICE'],
      ['Deploy', 'completed', 'done', 1, 'U0ALICE'],
      ['Let metrics settle', 'completed', 'done', 1, null],
      ['Confirm', 'completed', 'approved', 1, APPROVER],
    ]);
    expect(run.completed_at! - run.started_at!).toBeGreaterThanOrEqual(1000);
    const audit = await rig().app.service.audit(live.runId);
    expect(audit.map((e) => `${e.command}:${e.outcome ?? ''}:${e.actor.id}`)).toEqual([
      'start::U0ALICE',
      'advance:done:U0ALICE',
      'advance:fail:U0ALICE',
      'advance:done:U0ALICE',
      'advance:pass:U0ALICE',
      'advance:done:U0ALICE',
      'wait_elapsed::wait-timer',
      'approve::U012AB3CD',
    ]);

    // One message, updated in place: final status and duration, no buttons.
    const posts = fake.calls.slice(since).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === undefined);
    expect(posts).toHaveLength(1);
    expect(updatesOf(rig, live.ts, since).length).toBeGreaterThanOrEqual(8);
    expect(live.message().edited).toBeDefined();
    expect(live.buttons()).toEqual([]);
    expect(live.message().blocks!.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(live.text()).toContain('✅ Deploy to Production');
    expect(live.text()).toContain(`✅ *Completed* in ${formatDuration(run.completed_at! - run.started_at!)}`);
    expect(live.message().text).toBe('Deploy to Production — completed');

    // The thread: one reply per finished visit, in order, the failed test run included.
    expect(threadHeadings(live)).toEqual([
      '✓ *Step 1/6 · Pull latest code* completed',
      '✓ *Step 2/6 · Run test suite* completed',
      '✓ *Step 3/6 · Fix failures* completed',
      '✓ *Step 2/6 · Run test suite* completed (visit 2)',
      '✓ *Step 4/6 · Deploy* completed',
      '✓ *Step 5/6 · Let metrics settle* completed',
      '✓ *Step 6/6 · Confirm* completed',
    ]);
    const replies = fake.threadReplies(live.channel, live.ts).map(textOf);
    expect(replies[1]).toContain('outcome `fail`');
    expect(replies[3]).toContain('outcome `pass`');
    expect(replies[6]).toContain(`by <@${APPROVER}> · outcome \`approved\``);
  });
});
