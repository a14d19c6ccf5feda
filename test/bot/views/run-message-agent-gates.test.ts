import type { Button } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { buildRunMessage } from '../../../src/bot/views/run-message.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import { COMMAND_LIMITS, type Actor, type Command, type Run, type RunDriver } from '../../../src/engine/index.js';
import { NOW, alice, begin, step } from '../../engine/support/runbook.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';

// A gate of a run an agent drives (reference 002): a person's approve or reject is recorded
// on it, and the run message says so until the agent advances.

const agent: Actor = { kind: 'agent', id: 'agent-7', name: 'deploy agent' };
const dana: Actor = { kind: 'slack', id: 'U012AB3CD', name: 'dana' };

function render(run: Run): SlackMessage {
  const message = buildRunMessage(run, { now: NOW + 60_000 });
  expect(messageLimitProblems(message)).toEqual([]);
  return message;
}

const labels = (message: SlackMessage) =>
  message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((el) => (el as Button).text.text) : []));
const apply = (run: Run, command: Command) => step(run, command).run;

const release = (approvers: string[] = ['U012AB3CD', 'S0614TZR7']) => ({
  name: 'Release',
  steps: [
    { label: 'Confirm', ref: 'confirm', type: 'gate', approvers },
    { label: 'Ship', ref: 'ship' },
  ],
});
const started = (driver: RunDriver, approvers?: string[]) => begin(release(approvers), {}, agent, driver).run;

describe('a gate of an agent run in the run message', () => {
  it.each<RunDriver>(['person', 'agent'])('shows an undecided gate of a %s run as today: who may approve, and the buttons', (driver) => {
    const message = render(started(driver));
    expect(labels(message)).toEqual(['Approve', 'Reject', 'Fail', 'Pause', 'Cancel']);
    expect(allText(message)).toContain('🔐 Needs approval from <@U012AB3CD>, <!subteam^S0614TZR7>');
  });

  it.each([
    ['approve', '✅ Approved by <@U012AB3CD> — waiting for the agent to continue'],
    ['reject', '❌ Rejected by <@U012AB3CD> — waiting for the agent to continue'],
  ] as const)('after %s, shows the decision and no Approve or Reject', (type, line) => {
    const message = render(apply(started('agent'), { type, actor: dana }));
    expect(allText(message)).toContain(line);
    expect(allText(message)).not.toContain('Needs approval');
    expect(labels(message)).toEqual(['Fail', 'Pause', 'Cancel']);
  });

  it('adds the approver\'s notes, escaped, on the same line', () => {
    const run = apply(started('agent'), { type: 'approve', actor: dana, notes: 'ok <!channel> & go\nnow' });
    expect(allText(render(run))).toContain('✅ Approved by <@U012AB3CD> — waiting for the agent to continue · ok &lt;!channel&gt; &amp; go now');
  });

  it('escapes an approver who is not a Slack user, and cuts long notes to fit', () => {
    const evil: Actor = { kind: 'api', id: 'release-bot', name: '<!here> bot' };
    const run = apply(started('agent', []), { type: 'reject', actor: evil, notes: '<@U1> '.repeat(COMMAND_LIMITS.notesChars / 6) });
    const message = render(run);
    const line = mrkdwnTexts(message).find((t) => t.startsWith('❌ Rejected by'));
    expect(line).toMatch(/^❌ Rejected by &lt;!here&gt; bot — waiting for the agent to continue · (&lt;@U1&gt; )+/);
    expect(line!.length).toBeLessThan(500);
    expect(allText(message)).not.toMatch(/<!here>|<@U1>/);
  });

  it('shows the gate as today once the agent has advanced, with who decided in the history', () => {
    let run = apply(started('agent'), { type: 'approve', actor: dana });
    run = apply(run, { type: 'advance', actor: agent });
    const message = render(run);
    expect(allText(message)).not.toContain('waiting for the agent');
    expect(labels(message)).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    expect(allText(message)).toContain('✓ *1. Confirm* · deploy agent · `approved` by <@U012AB3CD>');
  });

  it('shows a person run\'s gate finished on Approve, as today', () => {
    const message = render(apply(started('person'), { type: 'approve', actor: dana }));
    expect(allText(message)).not.toContain('waiting for the agent');
    expect(allText(message)).toContain('✓ *1. Confirm* · <@U012AB3CD> · `approved`');
  });

  it('says the run is paused, not waiting for the agent, while paused after a decision', () => {
    const run = apply(apply(started('agent'), { type: 'approve', actor: dana }), { type: 'pause', actor: alice });
    const message = render(run);
    expect(allText(message)).toContain('⏸️ Paused');
    expect(allText(message)).not.toContain('waiting for the agent');
    expect(labels(message)).toEqual(['Resume', 'Cancel']);
  });
});

describe('API keys as approvers', () => {
  it('names an API key approver as such', () => {
    expect(allText(render(started('agent', ['apikey:release-bot', 'U012AB3CD'])))).toContain('🔐 Needs approval from API key `release-bot`, <@U012AB3CD>');
  });

  it('lists whole approvers only and counts the rest when 50 long API keys do not fit', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `apikey:${String(i).padStart(2, '0')}${'k'.repeat(61)}`);
    const text = allText(render(started('agent', keys)));
    const line = text.split('\n').find((l) => l.startsWith('🔐 Needs approval from'))!;
    expect(line).toMatch(/^🔐 Needs approval from (API key `\d\dk{61}`, )*API key `\d\dk{61}` and \d+ more$/);
    const shown = line.split('API key').length - 1;
    expect(line).toContain(` and ${50 - shown} more`);
  });
});
