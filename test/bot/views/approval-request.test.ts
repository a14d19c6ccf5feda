import { describe, expect, it } from 'vitest';

import { buildApprovalRequest, needsApproval } from '../../../src/bot/views/approval-request.js';
import { alice, begin, done, step } from '../../engine/support/runbook.js';
import { messageLimitProblems } from './support/block-limits.js';

const gateRunbook = (approvers: string[]) => ({
  name: 'Gated',
  steps: [{ label: 'Prepare' }, { label: 'Ship <!channel>', type: 'gate', approvers }, { label: 'After' }],
});

describe('the approval request', () => {
  it('mentions user and group approvers and escapes the step label', () => {
    let { run } = begin(gateRunbook(['U0BOB', 'S0OPS']));
    run = step(run, done(alice)).run;
    const gate = run.current_step_id!;
    expect(needsApproval(run, gate)).toBe(true);
    const message = buildApprovalRequest(run, gate);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('<@U0BOB>');
    expect(text).toContain('<!subteam^S0OPS>');
    expect(text).toContain('Ship &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(messageLimitProblems(message)).toEqual([]);
  });

  it('is not needed on an ordinary step, a gate nobody is named for, or a paused run', () => {
    const { run } = begin(gateRunbook(['U0BOB']));
    expect(needsApproval(run, run.current_step_id!)).toBe(false);
    let open = begin(gateRunbook([])).run;
    open = step(open, done(alice)).run;
    expect(needsApproval(open, open.current_step_id!)).toBe(false);
    let paused = step(begin(gateRunbook(['U0BOB'])).run, done(alice)).run;
    paused = step(paused, { type: 'pause', actor: alice }).run;
    expect(needsApproval(paused, paused.current_step_id!)).toBe(false);
  });

  it('stays within the limits with 50 approvers', () => {
    const approvers = Array.from({ length: 50 }, (_, i) => `U${String(i).padStart(9, '0')}`);
    const run = step(begin(gateRunbook(approvers)).run, done(alice)).run;
    const message = buildApprovalRequest(run, run.current_step_id!);
    expect(messageLimitProblems(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(`<@${approvers[49]}>`);
  });

  it('lists only whole approvers, and how many more, when 50 long API key names do not fit', () => {
    const approvers = Array.from({ length: 50 }, (_, i) => `apikey:${String(i).padStart(2, '0')}${'k'.repeat(61)}`);
    const run = step(begin(gateRunbook(approvers)).run, done(alice)).run;
    const message = buildApprovalRequest(run, run.current_step_id!);
    expect(messageLimitProblems(message)).toEqual([]);
    const text = (message.blocks?.[0] as { text: { text: string } }).text.text;
    const shown = [...text.matchAll(/API key `([^`]+)`/g)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.length).toBeLessThan(50);
    expect(shown).toEqual(approvers.slice(0, shown.length).map((a) => a.slice('apikey:'.length)));
    expect(text).toContain(` and ${50 - shown.length} more. Approve or reject it on the run message.`);
  });
});
