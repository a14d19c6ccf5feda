import { describe, expect, it } from 'vitest';
import { buildRunMessage } from '../../../src/bot/views/run-message.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import type { Run } from '../../../src/engine/index.js';
import { NOW, alice, begin, done } from '../../engine/support/runbook.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';
import { SEC, apply, diskCleanupRun, toolResult } from './support/tool-runs.js';

/** Renders a run and checks the message against every Block Kit limit. */
function render(run: Run, now = NOW + 60 * SEC): SlackMessage {
  const message = buildRunMessage(run, { now });
  expect(messageLimitProblems(message)).toEqual([]);
  return message;
}

/** The lines of the history sections (after the last divider). */
function historyOf(message: SlackMessage): string[] {
  const last = message.blocks.map((b) => b.type).lastIndexOf('divider');
  return mrkdwnTexts({ blocks: message.blocks.slice(last + 1) }).flatMap((t) => t.split('\n'));
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

const DATE = '<!date^1795348800^{date_short_pretty} at {time}|2026-11-22 12:00 UTC>';

/** Service Restart with a restart that rolls back through two rollback steps. */
const serviceRestart = {
  name: 'Service Restart',
  audience: 'agentic',
  variables: [{ name: 'deviceId', required: true }],
  steps: [
    { label: 'Check service', type: 'diagnose', tool: 'manage_services' },
    { label: 'Restart service', type: 'act', tool: 'manage_services', on_failure: 'rollback' },
    { label: 'Restore config', type: 'rollback', tool: 'restore_config' },
    { label: 'Start old version', type: 'rollback', tool: 'manage_services' },
  ],
};
const RESTART_ERROR = 'exit code 1: unit nginx.service failed';

/** Service Restart on web-01 with its restart failed: the first rollback step is running. */
function rollingBack(): Run {
  let { run } = begin(serviceRestart, { deviceId: 'web-01' });
  run = apply(run, toolResult(run, true, { status: 'running' }), NOW + SEC);
  return apply(run, toolResult(run, false, null, RESTART_ERROR), NOW + 3 * SEC);
}

describe('tool steps in the history', () => {
  it('shows each tool step with its tool and duration, and the verify step with its result', () => {
    expect(historyOf(render(diskCleanupRun()))).toEqual([
      '✓ *1. Capture baseline disk usage* · `analyze_disk_usage` · 4s',
      '✓ *2. Preview safe cleanup candidates* · `disk_cleanup` · 2s',
      '✓ *3. Execute cleanup* · `disk_cleanup` · 12s',
      '✓ *4. Wait for filesystem metrics* · 30s',
      '✓ *5. Verify disk usage improved* · `analyze_disk_usage` · disk_usage_percent 94.2 → 71 (< 90 ✓) · 3s',
    ]);
  });

  it('shows what the tool found under the step that failed the run, and its error only in the banner', () => {
    const message = render(diskCleanupRun({ after: { disk_usage_percent: 93.5 } }));
    const texts = mrkdwnTexts(message);
    expect(texts).toContain('*✗ Step 5/5 · Verify disk usage improved*\nConfirm disk usage dropped below threshold.');
    expect(texts).toContain('Ran `analyze_disk_usage` · disk_usage_percent 94.2 → 93.5 (< 90 ✗) · 3s');
    expect(occurrences(texts.join('\n'), 'verify failed:')).toBe(1);
  });

  it('shows the verify result of a failed verify in the history instead of its error', () => {
    const def = {
      name: 'Twice',
      audience: 'agentic',
      steps: [
        { label: 'Look', type: 'diagnose', tool: 'probe' },
        { label: 'Check', type: 'verify', tool: 'probe', on_failure: 'continue', verify: { metric: 'load', operator: 'lt', value: 2 } },
        { label: 'Report', type: 'diagnose', tool: 'report' },
      ],
    };
    let { run } = begin(def);
    for (const output of [{ load: 4 }, { load: 3 }]) run = apply(run, toolResult(run, true, output), NOW + 2 * SEC);
    expect(historyOf(render(run))).toEqual(['✓ *1. Look* · `probe` · 2s', '✗ *2. Check* · `probe` · load 4 → 3 (< 2 ✗) · 0s']);
  });

  it('shows the escaped error of a failed tool step, cut to fit the line', () => {
    const error = `device web-01 did not answer <!channel> <@U123> <http://x|y> ${'&'.repeat(300)}`;
    const def = { name: 'Look', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'disk_usage', on_failure: 'continue' }, { label: 'Next' }] };
    const { run } = begin(def);
    const [line] = historyOf(render(apply(run, toolResult(run, false, null, error), NOW + 4 * SEC)));
    expect(line).toMatch(/^✗ \*1\. Look\* · `disk_usage` · device web-01 did not answer &lt;!channel&gt; &lt;@U123&gt; &lt;http:\/\/x\|y&gt; (&amp;)+… · 4s$/);
    const note = line!.split(' · ')[2]!;
    expect(note.length).toBeLessThanOrEqual(100);
  });

  it('shows a tool step a person did in a human runbook without a tool', () => {
    let { run } = begin({ name: 'By hand', audience: 'human', steps: [{ label: 'Look', type: 'diagnose', tool: 'disk_usage' }, { label: 'Next' }] });
    run = apply(run, done(alice), NOW + 4 * SEC);
    expect(historyOf(render(run))).toEqual(['✓ *1. Look* · <@U0ALICE> · 4s']);
  });

  it('says how many tries a retrying verify took', () => {
    const verify = { metric: 'status', operator: 'eq', value: 200, retry: { interval_seconds: 5, timeout_seconds: 60 } };
    let { run } = begin({ name: 'Up', audience: 'agentic', steps: [{ label: 'Up?', type: 'verify', tool: 'http_check', verify }, { label: 'Next' }] });
    for (const status of [503, 200]) {
      if (run.wait) run = apply(run, { type: 'wait_elapsed', actor: alice, step_id: run.wait.step_id, visit: run.wait.visit }, NOW + 5 * SEC);
      run = apply(run, toolResult(run, true, { status }), NOW + 5 * SEC);
    }
    expect(historyOf(render(run))).toEqual(['✓ *1. Up?* · `http_check` (2 tries) · status 200 (= 200 ✓) · 5s']);
  });
});

describe('the failure banner', () => {
  it('shows why the run failed near the top, once, and the end text without repeating it', () => {
    const run = diskCleanupRun({ after: { disk_usage_percent: 93.5 } });
    const message = render(run);
    const banner = '🟥 *Failed:* step "Verify disk usage improved" failed: verify failed: disk_usage_percent = 93.5, expected lt 90';
    expect(message.blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: banner, verbatim: true } });
    const texts = mrkdwnTexts(message);
    expect(occurrences(texts.join('\n'), run.error_message!)).toBe(1);
    expect(occurrences(texts.join('\n'), '🟥')).toBe(1);
    expect(texts).toContain('❌ *Failed* after 51s');
    expect(message.text).toBe(`Disk Cleanup — failed: ${run.error_message}`);
  });

  it('escapes the error and keeps the banner within one section', () => {
    let { run } = begin({ name: 'R', steps: [{ label: 'A' }, { label: 'B' }] });
    run = apply(run, { type: 'fail', actor: alice, notes: '<!channel> <@U123> <http://x|y> & '.repeat(200) });
    const message = render(run);
    const banner = mrkdwnTexts(message)[1]!;
    expect(banner.startsWith('🟥 *Failed:* step "A" failed: &lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp; ')).toBe(true);
    expect(banner.length).toBeLessThanOrEqual(3000);
    expect(banner.endsWith('…')).toBe(true);
    for (const raw of ['<!channel>', '<@U123>', '<http://x|y>']) expect(allText(message)).not.toContain(raw);
  });

  it('is not shown on a running, completed or cancelled run', () => {
    let { run } = begin({ name: 'R', steps: [{ label: 'A' }, { label: 'B' }] });
    expect(allText(render(run))).not.toContain('🟥');
    expect(allText(render(apply(run, { type: 'cancel', actor: alice, reason: 'not needed' })))).not.toContain('🟥');
    run = apply(apply(run, done()), done());
    expect(run.status).toBe('completed');
    expect(allText(render(run))).not.toContain('🟥');
    expect(allText(render(diskCleanupRun()))).not.toContain('🟥');
  });

  it('goes away when the failed run is retried', () => {
    let { run } = begin({ name: 'R', steps: [{ label: 'A' }, { label: 'B' }] });
    run = apply(run, { type: 'fail', actor: alice, notes: 'broken' });
    expect(allText(render(run))).toContain('🟥 *Failed:* step "A" failed: broken');
    run = apply(run, { type: 'retry', actor: alice });
    expect(allText(render(run))).not.toContain('🟥');
  });
});

describe('the rollback notice', () => {
  it('says a rollback is under way, and why, while rollback steps run', () => {
    const message = render(rollingBack(), NOW + 10 * SEC);
    const texts = mrkdwnTexts(message);
    expect(texts[1]).toBe(`↩️ Rolling back… · step "Restart service" failed: ${RESTART_ERROR}`);
    expect(message.blocks[2]).toMatchObject({ type: 'context' });
    expect(texts).toContain('*▶ Step 4/4 · Start old version*');
    expect(texts).toContain('⚙️ Running tool `manage_services`… (7s so far)');
    expect(allText(message)).not.toContain('🟥');
  });

  it('confirms the rollback ran, with the failure banner once and the rollback steps in the order they ran', () => {
    let run = rollingBack();
    run = apply(run, toolResult(run, true, {}), NOW + 5 * SEC);
    run = apply(run, toolResult(run, true, {}), NOW + 7 * SEC);
    expect(run.status).toBe('rolled_back');
    const message = render(run);
    const texts = mrkdwnTexts(message);
    expect(texts.slice(1, 3)).toEqual([
      `🟥 *Failed:* step "Restart service" failed: ${RESTART_ERROR}`,
      '↩️ Rollback ran: 2 rollback steps in reverse order',
    ]);
    expect(texts).toContain('↩️ *Rolled back* after 7s');
    expect(occurrences(texts.join('\n'), run.error_message!)).toBe(1);
    expect(historyOf(message)).toEqual([
      '✓ *1. Check service* · `manage_services` · 1s',
      `✗ *2. Restart service* · \`manage_services\` · ${RESTART_ERROR} · 2s`,
      '✓ *4. Start old version* · `manage_services` · 2s',
      '✓ *3. Restore config* · `restore_config` · 2s',
    ]);
    expect(message.text).toBe(`Service Restart — rolled back: step "Restart service" failed: ${RESTART_ERROR}`);
  });

  it('says how far the rollback got when a rollback step failed', () => {
    let run = rollingBack();
    run = apply(run, toolResult(run, true, {}), NOW + 5 * SEC);
    run = apply(run, toolResult(run, false, null, 'no backup'), NOW + 7 * SEC);
    expect(run.status).toBe('failed');
    const texts = mrkdwnTexts(render(run));
    expect(texts.slice(1, 3)).toEqual(['🟥 *Failed:* rollback step "Restore config" failed: no backup', '↩️ Rollback did not finish: 1 of 2 rollback steps ran']);
    expect(texts).toContain('Ran `restore_config` · 2s');
  });

  it('counts a single rollback step, and says so when the runbook has none', () => {
    const one = { name: 'RB', steps: [{ label: 'Undo', type: 'rollback' }, { label: 'Change', on_failure: 'rollback' }] };
    let { run } = begin(one);
    run = apply(apply(run, { type: 'fail', actor: alice, notes: 'broke' }), done());
    expect(allText(render(run))).toContain('↩️ Rollback ran: 1 rollback step in reverse order');
    const none = apply(begin({ name: 'RB', steps: [{ label: 'Change', on_failure: 'rollback' }] }).run, { type: 'fail', actor: alice, notes: 'broke' });
    expect(none.status).toBe('rolled_back');
    expect(allText(render(none))).toContain('↩️ Rollback ran: the runbook has no rollback steps');
  });

  it('is not shown when no rollback ran, though rollback steps were passed', () => {
    let { run } = begin(serviceRestart, { deviceId: 'web-01' });
    run = apply(run, toolResult(run, true, {}));
    run = apply(run, toolResult(run, true, {}));
    expect(run.status).toBe('completed');
    const text = allText(render(run));
    expect(text).not.toContain('Rollback');
    expect(text).not.toContain('Rolling back');
  });
});

describe('the device line', () => {
  it('shows the device of a runbook with tool steps in the header context', () => {
    const { run } = begin(serviceRestart, { deviceId: 'web-01' });
    expect(mrkdwnTexts(render(run, NOW + 5 * SEC))[0]).toBe(
      `v1 · \`run_test00000000\` · started by <@U0ALICE> · ${DATE} · 🖥️ web-01 · *▶️ Running* · 5s so far`,
    );
  });

  it('shows what triggered a run that was not started by hand', () => {
    const { run } = begin(serviceRestart, { deviceId: 'web-01' });
    for (const source of ['alert', 'ai', 'api'] as const) {
      const triggered: Run = { ...run, trigger: { source, context: { alert_id: 'a1' } } };
      expect(mrkdwnTexts(render(triggered))[0]).toContain(`· 🖥️ web-01 · triggered by ${source} · *▶️ Running*`);
    }
    expect(allText(render(run))).not.toContain('triggered by');
  });

  it('is not shown for a runbook without tool steps, or a run without a device', () => {
    const manual = begin({ name: 'M', variables: [{ name: 'deviceId', required: true }], steps: [{ label: 'A' }] }, { deviceId: 'web-01' }).run;
    expect(mrkdwnTexts(render(manual))[0]).not.toContain('🖥️');
    const noDevice = begin({ name: 'T', audience: 'agentic', steps: [{ label: 'Look', type: 'diagnose', tool: 'probe' }] }).run;
    expect(mrkdwnTexts(render(noDevice))[0]).not.toContain('🖥️');
  });
});

describe('device ids, tool output and tool errors are escaped', () => {
  const evil = '<!channel> <@U123> <http://x|y>';
  const escaped = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt;';

  it('renders them literally in the header, the history and the banner', () => {
    const run = diskCleanupRun({ deviceId: evil, before: { disk_usage_percent: evil }, after: { disk_usage_percent: `${evil}!` } });
    const message = render(run);
    const text = allText(message);
    for (const raw of ['<!channel>', '<@U123>', '<http://x|y>']) expect(text).not.toContain(raw);
    expect(mrkdwnTexts(message)[0]).toContain(`· 🖥️ ${escaped} ·`);
    expect(text).toContain(`\`deviceId\` ${escaped}`);
    expect(text).toContain(`disk_usage_percent \`"${escaped}"\` → \`"${escaped}!"\` (< 90 ✗)`);
    expect(text).toContain(`🟥 *Failed:* step "Verify disk usage improved" failed: verify failed: disk_usage_percent = "${escaped}!", expected lt 90`);
  });
});

describe('tool steps of a human runbook', () => {
  const byHand = {
    name: 'By hand',
    audience: 'human',
    variables: [{ name: 'deviceId' }],
    steps: [{ label: 'Look', type: 'diagnose', tool: 'run_command' }, { label: 'Then' }],
  };
  const labels = (message: SlackMessage) =>
    message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => ('text' in e && e.text ? e.text.text : '')) : []));

  it('offers Run tool next to Done only while the device is online and no call is out', () => {
    const { run } = begin(byHand, { deviceId: 'web-01' });
    expect(labels(buildRunMessage(run, { now: NOW, deviceOnline: true }))).toEqual(['Done', 'Run tool', 'Fail', 'Pause', 'Cancel']);
    expect(labels(buildRunMessage(run, { now: NOW, deviceOnline: false }))).toEqual(['Done', 'Fail', 'Pause', 'Cancel']);
    const asked = apply(run, { type: 'run_tool', actor: alice });
    const message = render(asked);
    expect(labels(buildRunMessage(asked, { now: NOW, deviceOnline: true }))).not.toContain('Run tool');
    expect(allText(message)).toContain('⚙️ Running tool `run_command`…');
  });

  it('shows what the tool answered, escaped, or its error', () => {
    const { run } = begin(byHand, { deviceId: 'web-01' });
    let asked = apply(run, { type: 'run_tool', actor: alice });
    const answered = apply(asked, toolResult(asked, true, { stdout: '<!channel> ok' }));
    expect(allText(render(answered))).toContain('✓ Ran `run_command`: `{"stdout":"&lt;!channel&gt; ok"}`');
    asked = apply(answered, { type: 'run_tool', actor: alice });
    const failed = apply(asked, toolResult(asked, false, null, 'exit <@U123>'));
    expect(allText(render(failed))).toContain('✗ `run_command` failed: exit &lt;@U123&gt;');
    expect(labels(buildRunMessage(failed, { now: NOW }))).toContain('Done');
  });
});
