import { describe, expect, it } from 'vitest';
import { buildInstructionReply, buildStepReply } from '../../../src/bot/views/step-reply.js';
import { COMMAND_LIMITS } from '../../../src/engine/index.js';
import type { Actor, Command, Run } from '../../../src/engine/index.js';
import { NOW, alice, begin, bob, step, system, visitOf } from '../../engine/support/runbook.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';
import { diskCleanupRun } from './support/tool-runs.js';

const apply = (run: Run, command: Command, now = NOW) => step(run, command, now).run;
const toolResult = (run: Run, ok: boolean, output: unknown, error?: string): Command =>
  ({ type: 'tool_result', actor: system, step_id: run.current_step_id!, visit: visitOf(run), ok, output, ...(error ? { error } : {}) }) as Command;

const evil = '<!channel> <@U123> <http://evil|click> &';
const escapedEvil = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt; &amp;';

describe('buildStepReply', () => {
  it('shows mark, label, who, outcome, notes, output and duration of a finished step', () => {
    let { run } = begin({ name: 'R', steps: [{ label: 'Pull latest code' }, { label: 'Next' }] });
    run = apply(run, { type: 'advance', actor: bob, outcome: 'pulled', notes: 'pulled abc123', output: { sha: 'abc123', files: 3 } }, NOW + 125_000);
    const reply = buildStepReply(run, 'rbs_1');
    expect(messageLimitProblems(reply)).toEqual([]);
    expect(mrkdwnTexts(reply)).toEqual([
      '✓ *Step 1/2 · Pull latest code* completed',
      `by <@U0BOB> · outcome \`pulled\` · took 2m 05s · <!date^${Math.floor((NOW + 125_000) / 1000)}^{date_short_pretty} at {time}|2026-11-22 12:02 UTC>`,
      '*Notes*\npulled abc123',
      '*Output*\n```{"sha":"abc123","files":3}```',
    ]);
    expect(reply.text).toBe('✓ Pull latest code — completed by bob (2m 05s)');
  });

  it('shows the tool, its input and its output on a tool step', () => {
    const def = {
      name: 'T',
      audience: 'agentic',
      variables: [{ name: 'host', required: true }],
      steps: [{ label: 'Disk', type: 'diagnose', tool: 'disk_usage', tool_input: { host: '{host}' } }],
    };
    let { run } = begin(def, { host: 'web-01' });
    run = apply(run, toolResult(run, true, { usage_percent: 71.5 }), NOW + 4_000);
    const text = allText(buildStepReply(run, 'rbs_1'));
    expect(text).toContain('*Tool* `disk_usage`');
    expect(text).toContain('*Tool input*\n```{"host":"web-01"}```');
    expect(text).toContain('*Tool output*\n```{"usage_percent":71.5}```');
    expect(text).toContain('took 4s');
    expect(text).not.toContain('by ');
  });

  it('shows the error of a failed tool step', () => {
    let { run } = begin({ name: 'T', audience: 'agentic', steps: [{ label: 'Disk', type: 'diagnose', tool: 'disk_usage' }] });
    run = apply(run, toolResult(run, false, null, `device web-01 did not answer ${evil}`));
    const reply = buildStepReply(run, 'rbs_1');
    expect(mrkdwnTexts(reply)[0]).toBe('✗ *Step 1/1 · Disk* failed');
    expect(allText(reply)).toContain(`*Error*\ndevice web-01 did not answer ${escapedEvil}`);
  });

  it('shows a verify step\'s result, with the baseline, above its tool input and output', () => {
    const reply = buildStepReply(diskCleanupRun(), 'rbs_5');
    expect(messageLimitProblems(reply)).toEqual([]);
    expect(mrkdwnTexts(reply).slice(2)).toEqual([
      '*Notes*\ndisk_usage_percent = 71, expected lt 90',
      '*Result* disk_usage_percent 94.2 → 71 (< 90 ✓)',
      '*Tool* `analyze_disk_usage`',
      '*Tool input*\n```{"deviceId":"web-01","refresh":true}```',
      '*Tool output*\n```{"disk_usage_percent":71}```',
    ]);
  });

  it('shows a failed verify\'s result with ✗, and its error', () => {
    const reply = buildStepReply(diskCleanupRun({ after: { disk_usage_percent: 93.5 } }), 'rbs_5');
    expect(messageLimitProblems(reply)).toEqual([]);
    const texts = mrkdwnTexts(reply);
    expect(texts[0]).toBe('✗ *Step 5/5 · Verify disk usage improved* failed');
    expect(texts).toContain('*Result* disk_usage_percent 94.2 → 93.5 (< 90 ✗)');
    expect(texts.indexOf('*Result* disk_usage_percent 94.2 → 93.5 (< 90 ✗)')).toBeLessThan(texts.findIndex((t) => t.startsWith('*Tool output*')));
    expect(texts.at(-1)).toBe('*Error*\nverify failed: disk_usage_percent = 93.5, expected lt 90');
  });

  it('shows no result on a tool step that is not a verify step', () => {
    expect(allText(buildStepReply(diskCleanupRun(), 'rbs_1'))).not.toContain('*Result*');
  });

  it('escapes the verify result of a tool that reported untrusted text', () => {
    const evilStatus = { disk_usage_percent: evil };
    const text = allText(buildStepReply(diskCleanupRun({ before: evilStatus, after: evilStatus }), 'rbs_5'));
    expect(text).toContain(`*Result* disk_usage_percent \`"${escapedEvil}"\` → \`"${escapedEvil}"\` (< 90 ✗)`);
    for (const raw of ['<!channel>', '<@U123>', '<http://evil|click>']) expect(text).not.toContain(raw);
  });

  it('escapes notes, output, labels, actor names and errors', () => {
    const mallory: Actor = { kind: 'api', id: 'key', name: `mallory ${evil}` };
    let { run } = begin({ name: 'R', steps: [{ label: `Step ${evil}`, on_failure: 'continue' }, { label: 'Next' }] });
    run = apply(run, { type: 'fail', actor: mallory, notes: evil, output: { said: evil, list: [evil] } });
    const reply = buildStepReply(run, 'rbs_1');
    const text = allText(reply);
    for (const raw of ['<!channel>', '<@U123>', '<http://evil|click>']) expect(text).not.toContain(raw);
    expect(text).toContain(`*Step 1/2 · Step ${escapedEvil}*`);
    expect(text).toContain(`by mallory ${escapedEvil}`);
    expect(text).toContain(`*Notes*\n${escapedEvil}`);
    expect(text).toContain(`*Error*\n${escapedEvil}`);
    expect(text).toContain('&lt;!channel&gt;');
    expect(reply.text).toContain('mallory &lt;!channel&gt;');
  });

  it('shows a string output as it is, in a code block that backticks cannot break', () => {
    let { run } = begin({ name: 'R', steps: [{ label: 'A' }, { label: 'B' }] });
    run = apply(run, { type: 'advance', actor: alice, output: 'done ``` *not bold*' });
    const output = mrkdwnTexts(buildStepReply(run, 'rbs_1')).find((t) => t.startsWith('*Output*'))!;
    expect(output.startsWith('*Output*\n```done ')).toBe(true);
    expect(output.slice('*Output*\n```'.length, -3)).not.toContain('```');
  });

  it('cuts the largest notes and output to fit, without breaking an entity', () => {
    let { run } = begin({ name: 'R', steps: [{ label: '&'.repeat(255) }, { label: 'B' }] });
    const notes = '&<>'.repeat(COMMAND_LIMITS.notesChars / 3);
    run = apply(run, { type: 'advance', actor: { kind: 'agent', id: 'a', name: '<'.repeat(200) }, notes, output: { text: '&'.repeat(45_000) } });
    const reply = buildStepReply(run, 'rbs_1');
    expect(messageLimitProblems(reply)).toEqual([]);
    for (const text of mrkdwnTexts(reply)) expect(text).not.toMatch(/&(?!(amp|lt|gt);)/);
  });

  it('shows the visit of a step run more than once', () => {
    let { run } = begin({ name: 'L', steps: [{ label: 'A', ref: 'a', next_on_outcome: { again: 'step:a' } }] });
    run = apply(run, { type: 'advance', actor: alice, outcome: 'again' });
    run = apply(run, { type: 'advance', actor: alice });
    expect(mrkdwnTexts(buildStepReply(run, 'rbs_a'))[0]).toBe('✓ *Step 1/1 · A* completed (visit 2)');
  });

  it('refuses a step the run does not have', () => {
    const { run } = begin({ name: 'R', steps: [{ label: 'A' }] });
    expect(() => buildStepReply(run, 'rbs_nope')).toThrow('has no step rbs_nope');
  });
});

describe('buildInstructionReply', () => {
  it('posts the whole resolved instruction, escaped, over several sections', () => {
    const instruction = `Deploy {version}. ${'Check the dashboards & logs <carefully>. '.repeat(120)}`;
    const { run } = begin({ name: 'R', variables: [{ name: 'version', required: true }], steps: [{ label: 'Deploy', instruction }] }, { version: evil });
    const reply = buildInstructionReply(run, 'rbs_1');
    expect(messageLimitProblems(reply)).toEqual([]);
    const [heading, ...body] = mrkdwnTexts(reply);
    expect(heading).toBe('*Full instruction · Step 1 · Deploy*');
    expect(body.length).toBeGreaterThan(2);
    const expected = `Deploy ${escapedEvil}. ${'Check the dashboards &amp; logs &lt;carefully&gt;. '.repeat(120)}`;
    expect(body.join('')).toBe(expected);
  });

  it('fits when placeholders blow the instruction up far past what Slack takes', () => {
    const instruction = '{v}'.repeat(1600);
    const { run } = begin({ name: 'R', variables: [{ name: 'v', required: true }], steps: [{ label: 'Huge', instruction }] }, { v: '<&>'.repeat(333) });
    const reply = buildInstructionReply(run, 'rbs_1');
    expect(messageLimitProblems(reply)).toEqual([]);
    expect(mrkdwnTexts(reply).at(-1)).toMatch(/… \(cut: too long for Slack\)$/);
  });
});
