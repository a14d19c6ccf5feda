import { readFileSync } from 'node:fs';
import type { ActionsBlock, Button } from '@slack/types';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decodeRunActionValue } from '../../../src/bot/action-value.js';
import { ActionId } from '../../../src/bot/slack-ids.js';
import {
  HISTORY_LINES,
  INSTRUCTION_CUT_MARKER,
  OUTCOME_ACTION_ID_PATTERN,
  buildRunMessage,
  isInstructionCut,
  outcomeActionId,
} from '../../../src/bot/views/run-message.js';
import { buildInstructionReply, buildStepReply } from '../../../src/bot/views/step-reply.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import { COMMAND_LIMITS, LOOP_GUARD_ERROR, VARIABLE_VALUE_MAX_CHARS, isTerminal } from '../../../src/engine/index.js';
import type { Actor, Command, Run } from '../../../src/engine/index.js';
import { NOW, alice, begin, bob, done, step, system, visitOf } from '../../engine/support/runbook.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';

// ---- reading a rendered message --------------------------------------------------------

interface ShownButton {
  action_id: string;
  text: string;
  style?: string;
  value: ReturnType<typeof decodeRunActionValue>;
  confirm?: Button['confirm'];
}

function actionsOf(message: SlackMessage): ActionsBlock[] {
  return message.blocks.filter((b): b is ActionsBlock => b.type === 'actions');
}

function buttonsOf(message: SlackMessage): ShownButton[] {
  return actionsOf(message).flatMap((block) =>
    block.elements.map((el) => {
      const b = el as Button;
      return { action_id: b.action_id ?? '', text: b.text.text, style: b.style, value: decodeRunActionValue(b.value ?? ''), confirm: b.confirm };
    }),
  );
}

const labels = (message: SlackMessage) => buttonsOf(message).map((b) => b.text);

function expectFits(message: SlackMessage): void {
  expect(messageLimitProblems(message)).toEqual([]);
}

const render = (run: Run, now = NOW + 5_000) => buildRunMessage(run, { now });
const apply = (run: Run, command: Command, now = NOW) => step(run, command, now).run;
const wait = (run: Run): Command => ({ type: 'wait_elapsed', actor: system, step_id: run.wait!.step_id, visit: run.wait!.visit });
const toolResult = (run: Run, ok: boolean, output: unknown = {}): Command =>
  ({ type: 'tool_result', actor: system, step_id: run.current_step_id!, visit: visitOf(run), ok, output }) as Command;

// ---- definitions ------------------------------------------------------------------------

const deploy = parseYaml(readFileSync(new URL('../../fixtures/definitions/design-deploy-to-production.yaml', import.meta.url), 'utf8'));
const one = (stepDef: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'One step', ...extra, steps: [stepDef, { label: 'After' }] });

describe('buttons on a running step', () => {
  it('offers Done, Fail, Pause and Cancel on a required action step, each pointing at the step and visit', () => {
    const { run } = begin(deploy, { version: '2.5.0' });
    const buttons = buttonsOf(render(run));
    expect(buttons.map((b) => [b.action_id, b.text])).toEqual([
      [ActionId.Done, 'Done'],
      [ActionId.Fail, 'Fail'],
      [ActionId.Pause, 'Pause'],
      [ActionId.Cancel, 'Cancel'],
    ]);
    for (const b of buttons) expect(b.value).toEqual({ r: run.id, s: run.current_step_id, v: 1 });
    expectFits(render(run));
  });

  it('adds Skip only when the step is not required', () => {
    expect(labels(render(begin(one({ label: 'Optional', required: false })).run))).toEqual(['Done', 'Skip', 'Fail', 'Pause', 'Cancel']);
  });

  it('offers one button per routed outcome next to Done on an action step', () => {
    const { run } = begin(one({ label: 'Fix', next_on_outcome: { done: null, escalate: null } }));
    const buttons = buttonsOf(render(run));
    expect(buttons.map((b) => b.text)).toEqual(['Done', 'escalate', 'Fail', 'Pause', 'Cancel']);
    expect(buttons[1]).toMatchObject({ action_id: outcomeActionId('escalate'), value: { r: run.id, s: 'rbs_1', v: 1, o: 'escalate' } });
  });

  it('offers pass and fail on a check without routes', () => {
    const buttons = buttonsOf(render(begin(one({ label: 'Tests', type: 'check' })).run));
    expect(buttons.slice(0, 2).map((b) => [b.action_id, b.text, b.value.o])).toEqual([
      ['run_outcome:pass', 'pass', 'pass'],
      ['run_outcome:fail', 'fail', 'fail'],
    ]);
    expect(buttons.map((b) => b.text)).not.toContain('Done');
  });

  it('offers a check\'s routed outcomes once each, after pass and fail', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = apply(run, done());
    expect(labels(render(run))).toEqual(['pass', 'fail', 'Fail', 'Pause', 'Cancel']);
    const { run: abortable } = begin(one({ label: 'Tests', type: 'check', next_on_outcome: { abort: null } }));
    expect(labels(render(abortable))).toEqual(['pass', 'fail', 'abort', 'Fail', 'Pause', 'Cancel']);
  });

  it('offers exactly the routed outcomes on a branch', () => {
    const { run } = begin(one({ label: 'Which way?', type: 'branch', next_on_outcome: { left: null, right: null } }));
    expect(labels(render(run))).toEqual(['left', 'right', 'Fail', 'Pause', 'Cancel']);
    for (const b of buttonsOf(render(run)).slice(0, 2)) expect(b.action_id).toMatch(OUTCOME_ACTION_ID_PATTERN);
  });

  it('gives every outcome button its own action id so the block is valid', () => {
    const outcomes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`o${i}`, null]));
    const message = render(begin(one({ label: 'Many', type: 'branch', next_on_outcome: outcomes })).run);
    expectFits(message);
    expect(buttonsOf(message).filter((b) => b.value.o !== undefined)).toHaveLength(30);
    expect(actionsOf(message).length).toBe(2);
  });

  it('offers Approve and Reject on a gate and names its approvers as mentions', () => {
    const { run } = begin(one({ label: 'Confirm', type: 'gate', approvers: ['U012AB3CD', 'S0614TZR7'], allow_self_approval: false }));
    const message = render(run);
    const buttons = buttonsOf(message);
    expect(buttons.map((b) => [b.action_id, b.text, b.style])).toEqual([
      [ActionId.Approve, 'Approve', 'primary'],
      [ActionId.Reject, 'Reject', 'danger'],
      [ActionId.Fail, 'Fail', undefined],
      [ActionId.Pause, 'Pause', undefined],
      [ActionId.Cancel, 'Cancel', 'danger'],
    ]);
    expect(allText(message)).toContain('Needs approval from <@U012AB3CD>, <!subteam^S0614TZR7> (not the person who started the run)');
  });

  it('says anyone may approve a gate without approvers', () => {
    expect(allText(render(begin(one({ label: 'Confirm', type: 'gate' })).run))).toContain('Needs approval from anyone');
  });

  it('asks for approval before a hybrid act runs its tool', () => {
    const def = one({ label: 'Restart', type: 'act', tool: 'manage_services', approvers: ['U0BOB'] }, { audience: 'hybrid' });
    const { run } = begin(def);
    const message = render(run);
    expect(labels(message)).toEqual(['Approve', 'Reject', 'Fail', 'Pause', 'Cancel']);
    expect(allText(message)).toContain('Approve running tool `manage_services`: <@U0BOB>');
    const approved = render(apply(run, { type: 'approve', actor: bob }));
    expect(labels(approved)).toEqual(['Fail', 'Pause', 'Cancel']);
    expect(allText(approved)).toContain('Running tool `manage_services`…');
  });

  it('shows a running tool and no Done in an agentic runbook', () => {
    const message = render(begin(one({ label: 'Look', type: 'diagnose', tool: 'disk_usage', required: false }, { audience: 'agentic' })).run);
    expect(labels(message)).toEqual(['Skip', 'Fail', 'Pause', 'Cancel']);
    expect(allText(message)).toContain('Running tool `disk_usage`… (5s so far)');
  });

  it('treats a tool step as a manual step with Done in a human runbook', () => {
    const message = render(begin(one({ label: 'Look', type: 'diagnose', tool: 'disk_usage' }, { audience: 'human' })).run);
    expect(labels(message)).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    expect(allText(message)).not.toContain('Running tool');
  });
});

describe('runs that are waiting, paused, failed or over', () => {
  const waitDef = { name: 'Settle', steps: [{ label: 'Let metrics settle', type: 'wait', wait_seconds: 30, required: false }, { label: 'Next' }] };

  it('shows when a wait is due as a date token, with no Done', () => {
    const { run } = begin(waitDef);
    const message = render(run);
    expect(run.status).toBe('waiting');
    expect(allText(message)).toContain(`Waiting until <!date^${Math.floor((NOW + 30_000) / 1000)}^`);
    expect(labels(message)).toEqual(['Skip', 'Pause', 'Cancel']);
    expect(buttonsOf(message).every((b) => b.value.s === 'rbs_1' && b.value.v === 1)).toBe(true);
    expectFits(message);
  });

  it('shows the next try of a verify that is retrying, with no Done', () => {
    const verify = { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 5, timeout_seconds: 60 } };
    let { run } = begin({ name: 'R', audience: 'agentic', steps: [{ label: 'Up?', type: 'verify', tool: 'http_check', verify }] });
    run = apply(run, toolResult(run, true, { status: 503 }), NOW + 1_000);
    const message = render(run);
    expect(run.status).toBe('running');
    expect(allText(message)).toContain('Next try of `http_check` <!date^');
    expect(labels(message)).toEqual(['Pause', 'Cancel']);
  });

  it('offers only Resume and Cancel on a paused run', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = apply(run, { type: 'pause', actor: alice });
    const message = render(run);
    expect(buttonsOf(message).map((b) => [b.action_id, b.text])).toEqual([
      [ActionId.Resume, 'Resume'],
      [ActionId.Cancel, 'Cancel'],
    ]);
    expect(allText(message)).toContain('⏸️ Paused');
  });

  it('shows the escaped error in a banner and Retry on a failed run, and no Cancel, which the engine refuses', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = apply(run, { type: 'fail', actor: alice, notes: 'disk full <!channel> & more' }, NOW + 65_000);
    const message = render(run);
    expect(run.status).toBe('failed');
    expect(mrkdwnTexts(message)[1]).toBe('🟥 *Failed:* step "Pull latest code" failed: disk full &lt;!channel&gt; &amp; more');
    expect(mrkdwnTexts(message)).toContain('❌ *Failed* after 1m 05s');
    expect(message.text).toBe('Deploy to Production — failed: step "Pull latest code" failed: disk full &lt;!channel&gt; &amp; more');
    expect(buttonsOf(message).map((b) => [b.action_id, b.value])).toEqual([[ActionId.Retry, { r: run.id, s: 'rbs_1', v: 1 }]]);
  });

  it('offers no Retry when the loop guard failed the run, so shows no actions at all', () => {
    let { run } = begin({ name: 'Loop', steps: [{ label: 'A', ref: 'a' }, { label: 'B', next_default: 'step:a' }] });
    while (run.status === 'running') run = apply(run, done());
    expect(run.error_message).toBe(LOOP_GUARD_ERROR);
    const message = render(run);
    expect(actionsOf(message)).toEqual([]);
    expectFits(message);
  });

  it('puts a confirm dialog on Cancel', () => {
    const cancel = buttonsOf(render(begin(deploy, { version: '1' }).run)).find((b) => b.action_id === ActionId.Cancel);
    expect(cancel?.style).toBe('danger');
    expect(cancel?.confirm).toMatchObject({ title: { text: 'Cancel this run?' }, confirm: { text: 'Cancel run' }, deny: { text: 'Keep it' } });
  });

  it('offers only Cancel on a run not yet started, with no step in the value', async () => {
    const { createRun } = await import('../../../src/engine/index.js');
    const { snapshot } = await import('../../engine/support/runbook.js');
    const created = createRun({ id: 'run_new000000000', runbook: snapshot(deploy), variables: { version: '1' }, started_by: alice }, { now: NOW, ids: () => 'rrs_x' });
    if (!created.ok) throw new Error(created.error.message);
    const message = render(created.run);
    expect(buttonsOf(message).map((b) => [b.text, b.value])).toEqual([['Cancel', { r: 'run_new000000000' }]]);
    expect(message.text).toBe('Deploy to Production — pending');
  });

  it('shows the final status and total duration of a finished run, with no actions block', () => {
    let { run } = begin({ name: 'Short', steps: [{ label: 'Only' }] });
    run = apply(run, done(), NOW + 125_000);
    const message = render(run);
    expect(run.status).toBe('completed');
    expect(actionsOf(message)).toEqual([]);
    expect(allText(message)).toContain('✅ *Completed* in 2m 05s');
    expect(message.text).toBe('Short — completed');
  });

  it('shows a cancelled run without actions and counts the steps it never reached', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = apply(run, { type: 'cancel', actor: bob }, NOW + 3_000);
    const message = render(run);
    expect(actionsOf(message)).toEqual([]);
    expect(allText(message)).toContain('🚫 *Cancelled* after 3s');
    expect(allText(message)).toContain('⏭ 5 steps not reached');
    // The engine records no actor on the step a cancel skips; the run's audit trail has it.
    expect(allText(message)).toContain('⏭ *1. Pull latest code* · run cancelled');
  });

  it('shows why a rolled-back run rolled back', () => {
    const def = {
      name: 'RB',
      steps: [
        { label: 'Undo', type: 'rollback' },
        { label: 'Change', on_failure: 'rollback' },
      ],
    };
    let { run } = begin(def);
    run = apply(run, { type: 'fail', actor: alice, notes: 'broke <@U123>' });
    run = apply(run, done());
    const message = render(run);
    expect(run.status).toBe('rolled_back');
    expect(allText(message)).toContain('↩️ *Rolled back*');
    expect(allText(message)).toContain('broke &lt;@U123&gt;');
    expect(actionsOf(message)).toEqual([]);
  });
});

describe('what the message shows', () => {
  it('shows the name, version, run id, starter, status, variables and progress', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    run = apply(run, done(bob), NOW + 4_000);
    const message = render(run, NOW + 10_000);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '▶️ Deploy to Production', emoji: true } });
    const text = allText(message);
    expect(text).toContain('v1 · `run_test00000000` · started by <@U0ALICE> · <!date^');
    expect(text).toContain('*▶️ Running* · 10s so far');
    expect(text).toContain('`version` 2.5.0\n`environment` production');
    expect(text).toContain('*Progress* ▓░░░░░░░░░ 1/6 · ✓ 1  ⏭ 0  ✗ 0');
    expect(text).toContain('*▶ Step 2/6 · Run test suite*');
    expect(text).toContain('✓ *1. Pull latest code* · <@U0BOB> · 4s');
    expect(message.text).toBe('Deploy to Production — step 2/6: Run test suite (running)');
  });

  it('resolves variables in the current step\'s instruction', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    for (const outcome of [undefined, 'pass']) run = apply(run, done(alice, outcome));
    expect(allText(render(run))).toContain('Deploy 2.5.0 to production.');
  });

  it('shows outcomes and visit counts of finished steps after a loop', () => {
    let { run } = begin(deploy, { version: '2.5.0' });
    for (const outcome of [undefined, 'fail', undefined, 'pass']) run = apply(run, done(alice, outcome));
    const text = allText(render(run));
    expect(text).toContain('✓ *2. Run test suite* ×2 · <@U0ALICE> · `pass`');
    expect(text).toContain('*▶ Step 4/6 · Deploy*');
  });

  it('cuts a long instruction with a note that the full text is in the thread', () => {
    const instruction = 'word '.repeat(1000);
    const { run } = begin(one({ label: 'Long', instruction }));
    const message = render(run);
    expectFits(message);
    expect(allText(message)).toContain(INSTRUCTION_CUT_MARKER);
    expect(isInstructionCut(run, 'rbs_1')).toBe(true);
    expect(isInstructionCut(run, 'rbs_2')).toBe(false);
    const reply = buildInstructionReply(run, 'rbs_1');
    expectFits(reply);
    expect(mrkdwnTexts(reply).slice(1).join('')).toBe(instruction);
  });
});

describe('user text is escaped wherever it appears', () => {
  const evil = '<!channel> <@U123> <http://evil|click> & <!subteam^S1>';
  const raw = ['<!channel>', '<@U123>', '<http://evil|click>', '<!subteam^S1>'];

  function expectEscaped(message: SlackMessage): void {
    const text = allText(message);
    for (const r of raw) expect(text).not.toContain(r);
    expect(text).toContain('&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt; &amp; &lt;!subteam^S1&gt;');
    for (const t of mrkdwnTexts(message)) expect(t.length).toBeGreaterThan(0);
  }

  it('in the runbook name, labels, instructions, variables, notes, actors and errors', () => {
    const def = {
      name: `Deploy ${evil}`,
      variables: [{ name: 'v', required: true }],
      steps: [
        { label: `First ${evil}`, ref: 'first', required: false },
        { label: `Second ${evil}`, instruction: `Do {v} then ${evil}`, on_failure: 'continue' },
        { label: 'Third' },
      ],
    };
    const mallory: Actor = { kind: 'api', id: 'key', name: `mallory ${evil}` };
    let { run } = begin(def, { v: evil }, mallory);
    let message = render(run);
    expectEscaped(message);
    expect(message.text).toContain('&lt;!channel&gt;');
    run = apply(run, { type: 'skip', actor: mallory, notes: evil });
    expectEscaped(render(run));
    expect(allText(render(run))).toContain(`Do ${'&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt; &amp; &lt;!subteam^S1&gt;'} then`);
    run = apply(run, { type: 'fail', actor: mallory, notes: evil });
    message = render(run);
    expectEscaped(message);
    expect(allText(message)).toContain('✗ *2. Second');
  });

  it('marks every mrkdwn text verbatim so Slack does not link or mention by itself', () => {
    const message = render(begin(deploy, { version: '@channel #general' }).run);
    const texts = message.blocks.flatMap((b) => JSON.stringify(b).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*","verbatim":true/g) ?? []);
    expect(texts.length).toBe(mrkdwnTexts(message).length);
  });
});

// ---- the extreme run ----------------------------------------------------------------------

const VAR_NAMES = Array.from({ length: 20 }, (_, i) => `v${String(i).padStart(2, '0')}_${'x'.repeat(46)}`);
const bigText = (n: number) => '<!channel> & <@U123> '.repeat(Math.ceil(n / 21)).slice(0, n);
const APPROVERS = ['U0BOB', ...Array.from({ length: 49 }, (_, i) => `S${String(i).padStart(29, '0')}`)];

/** 100 steps of every type, every text at its limit and full of characters that escape to 5. */
function extremeDefinition() {
  const placeholders = VAR_NAMES.map((n) => `{${n}}`).join(' ');
  const steps = Array.from({ length: 100 }, (_, i) => {
    const ref = `s${i}`;
    const next = i === 99 ? null : `step:s${i + 1}`;
    const base = {
      ref,
      label: `${i} ${'&<>'.repeat(100)}`.slice(0, 255),
      instruction: `${placeholders} ${bigText(5000)}`.slice(0, 5000),
    };
    switch (i % 10) {
      case 1:
        return { ...base, type: 'check', next_on_outcome: { pass: next, fail: next } };
      case 2:
        return { ...base, type: 'branch', next_on_outcome: Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`${'o'.repeat(90)}${k}`, next])) };
      case 3:
        return { ...base, type: 'gate', approvers: APPROVERS, allow_self_approval: false };
      case 4:
        return { ...base, type: 'wait', wait_seconds: 604_800 };
      case 5:
        return { ...base, type: 'diagnose', tool: 't'.repeat(100), tool_input: { text: '{v00_' + 'x'.repeat(46) + '}' } };
      case 6:
        return { ...base, type: 'act', tool: 'restart', approvers: APPROVERS };
      case 7:
        return { ...base, type: 'verify', tool: 'check', verify: { metric: 'ok', operator: 'eq', value: true } };
      case 8:
        return { ...base, type: 'rollback' };
      case 9:
        return { ...base, required: false, on_failure: 'continue' };
      default:
        return base;
    }
  });
  return { name: bigText(255), audience: 'hybrid', variables: VAR_NAMES.map((name) => ({ name, required: true })), steps };
}

const HUGE_NOTES = bigText(COMMAND_LIMITS.notesChars);
const HUGE_OUTPUT = { text: bigText(40_000), list: [1, '```', { deep: '<!here>' }] };
const longActor: Actor = { kind: 'api', id: 'k'.repeat(100), name: bigText(200) };

/** The command a person, an approver, a timer or a tool would send next. */
function nextCommand(run: Run, i: number): Command {
  const cur = run.runbook.steps.find((s) => s.id === run.current_step_id)!;
  const state = run.steps.find((s) => s.step_id === cur.id)!;
  if (run.wait) return wait(run);
  if (cur.type === 'gate' || state.awaiting_approval) return { type: 'approve', actor: bob, notes: HUGE_NOTES };
  if (['diagnose', 'act', 'verify'].includes(cur.type)) return toolResult(run, true, { ok: true, blob: HUGE_OUTPUT });
  if (cur.type === 'branch') return { type: 'advance', actor: longActor, outcome: Object.keys(cur.next_on_outcome!)[29] };
  if (cur.type === 'check') return { type: 'advance', actor: longActor, outcome: 'pass', notes: HUGE_NOTES, output: HUGE_OUTPUT };
  if (!cur.required && i % 2 === 0) return { type: 'fail', actor: longActor, notes: HUGE_NOTES };
  return { type: 'advance', actor: longActor, notes: HUGE_NOTES, output: HUGE_OUTPUT };
}

describe('an extreme run', () => {
  it('fits every Block Kit limit at every point of a 100-step run at its limits, and so does every step reply', () => {
    const variables = Object.fromEntries(VAR_NAMES.map((n) => [n, bigText(VARIABLE_VALUE_MAX_CHARS)]));
    let { run } = begin(extremeDefinition(), variables, longActor);
    let now = NOW;
    let renders = 0;
    const check = (r: Run) => {
      const message = buildRunMessage(r, { now });
      expect(messageLimitProblems(message)).toEqual([]);
      for (const t of mrkdwnTexts(message)) expect(t).not.toMatch(/<!channel>|<@U123>|<!here>/);
      renders += 1;
      return message;
    };
    check(run);
    for (let i = 0; !isTerminal(run.status); i++) {
      const before = run.current_step_id!;
      now += 61_000;
      run = apply(run, nextCommand(run, i), now);
      const message = check(run);
      const reply = buildStepReply(run, before);
      expect(messageLimitProblems(reply)).toEqual([]);
      if (run.current_step_id !== null) expect(messageLimitProblems(buildInstructionReply(run, run.current_step_id))).toEqual([]);
      if (i === 60) expect(allText(message)).toMatch(/… \d+ earlier steps: \d+ ✓, \d+ ⏭, \d+ ✗/);
    }
    expect(run.status).toBe('completed');
    expect(renders).toBeGreaterThan(100);
    const final = check(run);
    const history = allText(final).split('\n').filter((l) => /^[✓⏭✗] \*\d+\./.test(l));
    expect(history).toHaveLength(HISTORY_LINES);
  });

  it('fits when a run fails with an error at its longest, and after a thousand visits', () => {
    let { run } = begin({ name: bigText(255), steps: [{ label: bigText(255), ref: 'a' }, { label: 'B', next_default: 'step:a' }] });
    run = apply(run, { type: 'fail', actor: longActor, notes: HUGE_NOTES });
    expect(messageLimitProblems(render(run))).toEqual([]);
    run = apply(run, { type: 'retry', actor: alice });
    while (run.status === 'running') run = apply(run, done(longActor));
    expect(run.visit_count).toBe(1000);
    expect(messageLimitProblems(render(run))).toEqual([]);
    expect(messageLimitProblems(buildStepReply(run, 'rbs_a'))).toEqual([]);
  });
});
