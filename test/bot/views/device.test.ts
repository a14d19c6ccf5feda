import { describe, expect, it } from 'vitest';
import {
  DEVICE_LIST_ITEMS_SHOWN,
  DEVICE_RUNS_SHOWN,
  buildDeviceMessage,
  itemList,
  type DeviceMessageInput,
} from '../../../src/bot/views/device.js';
import { SLACK_LIMITS } from '../../../src/bot/views/limits.js';
import type { SlackMessage } from '../../../src/bot/views/types.js';
import { messageLimitProblems } from './support/block-limits.js';
import { allText, mrkdwnTexts } from './support/message-text.js';
import { MIN, NOW, deviceRecord, runSummary } from './support/records.js';

/** Builds the message and checks it against every Block Kit limit. */
function build(input: Partial<DeviceMessageInput> = {}): SlackMessage {
  const message = buildDeviceMessage({ device: deviceRecord(), id: 'web-01', runs: [], now: NOW, ...input });
  expect(messageLimitProblems(message)).toEqual([]);
  return message;
}

const date = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC>`;
};

const disk = (i: number, over: Parameters<typeof runSummary>[0] = {}) =>
  runSummary({ runbook_name: 'Disk Cleanup', runbook_version: 2, status: 'completed', created_at: NOW - i * 60 * MIN, completed_at: NOW - i * 60 * MIN + 65_000, ...over }, i);

describe('buildDeviceMessage', () => {
  it('shows an online device: status, last seen, host, OS, runner, tags, tools and its runs', () => {
    const running = runSummary({ runbook_name: 'Service Restart', runbook_version: 1, created_at: NOW - 2 * MIN }, 1);
    const message = build({ runs: [disk(3), running] });
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🖥️ web-01', emoji: true } });
    expect(mrkdwnTexts(message)).toEqual([
      `🟢 *Online* · last seen ${date(NOW - 12_000)} (12s ago)`,
      '*Hostname*\nweb-01.prod.example.com',
      '*OS*\nlinux 6.1.0-18-amd64 (x64)',
      '*Runner*\n0.4.0',
      `*Runner started*\n${date(NOW - 60 * MIN)}`,
      '*Tags*\n`web` `production`',
      '*Tools offered*\n`analyze_disk_usage` `disk_cleanup` `manage_services`',
      [
        '*Recent runs on this device*',
        `▶️ *Service Restart* v1 · \`run_000000000001\` · ${date(NOW - 2 * MIN)} · 2m 00s so far`,
        `✅ *Disk Cleanup* v2 · \`run_000000000003\` · ${date(NOW - 180 * MIN)} · took 1m 05s`,
      ].join('\n'),
      'Run a runbook on it: `/runbook start NAME device=web-01`',
    ]);
    expect(message.text).toBe('Device web-01 (web-01.prod.example.com): online, last seen 12s ago');
  });

  it('shows an offline device in red with how long ago it was last seen', () => {
    const message = build({ device: deviceRecord({ status: 'offline', last_seen: NOW - 3 * 60 * MIN }) });
    expect(mrkdwnTexts(message)[0]).toBe(`🔴 *Offline* · last seen ${date(NOW - 3 * 60 * MIN)} (3h 00m ago)`);
    expect(message.text).toBe('Device web-01 (web-01.prod.example.com): offline, last seen 3h 00m ago');
  });

  it('says when there are no runs on the device yet', () => {
    expect(mrkdwnTexts(build())).toContain('*Recent runs on this device*\nNo runs on this device yet.');
  });

  it('shows the ten latest runs, newest first, and how many more there are', () => {
    const runs = Array.from({ length: 14 }, (_, i) => disk(i + 1, { status: i % 3 === 0 ? 'failed' : i % 3 === 1 ? 'rolled_back' : 'completed' }));
    const message = build({ runs: [...runs].reverse() });
    const section = mrkdwnTexts(message).find((t) => t.startsWith('*Recent runs'))!;
    const lines = section.split('\n').slice(1);
    expect(lines).toHaveLength(DEVICE_RUNS_SHOWN);
    expect(lines.map((l) => l.match(/`(run_\d+)`/)![1])).toEqual(runs.slice(0, 10).map((r) => r.id));
    expect(lines.slice(0, 3).map((l) => l.split(' ')[0])).toEqual(['❌', '↩️', '✅']);
    expect(mrkdwnTexts(message)).toContain('… and 4 more');
  });

  it('lists at most forty of a hundred tags and tools, then "+N more", within the limits', () => {
    const tags = Array.from({ length: 100 }, (_, i) => `tag-${i}`);
    const tools = Array.from({ length: 100 }, (_, i) => `${'&<>'.repeat(30)}${i}`);
    const message = build({ device: deviceRecord({ tags, tools }) });
    const texts = mrkdwnTexts(message);
    const tagLine = texts.find((t) => t.startsWith('*Tags*'))!;
    expect(tagLine).toBe(`*Tags*\n${tags.slice(0, DEVICE_LIST_ITEMS_SHOWN).map((t) => `\`${t}\``).join(' ')} +60 more`);
    const toolLine = texts.find((t) => t.startsWith('*Tools offered*'))!;
    expect(toolLine).toMatch(/ \+\d+ more$/);
    expect(toolLine.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(toolLine).not.toMatch(/&(?!(amp|lt|gt);)/);
  });

  it('says a device without tags or tools has none', () => {
    const texts = mrkdwnTexts(build({ device: deviceRecord({ tags: [], tools: [] }) }));
    expect(texts).toContain('*Tags*\n_none_');
    expect(texts).toContain('*Tools offered*\n_none_');
  });

  it('tells how to add a device it does not know', () => {
    const message = build({ device: null, id: 'web-01' });
    expect(mrkdwnTexts(message)).toEqual(['Device `web-01` is not known. Start a runner on it: `runbook-bot runner --device-id web-01`']);
    expect(message.text).toBe('Device web-01 is not known.');
  });

  it('still lists runs recorded for a device it does not know', () => {
    const message = build({ device: null, id: 'web-01', runs: [disk(1)] });
    expect(allText(message)).toContain('✅ *Disk Cleanup* v2 · `run_000000000001`');
  });

  it('takes the device and runs from the stores as they are', () => {
    const input: DeviceMessageInput = { device: deviceRecord(), id: 'web-01', runs: [runSummary()], now: NOW };
    expect(messageLimitProblems(buildDeviceMessage(input))).toEqual([]);
  });
});

describe('what a device reports is escaped', () => {
  const evil = '<!channel> <@U123> <http://x|y>';
  const escaped = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt;';
  const raw = ['<!channel>', '<@U123>', '<http://x|y>'];

  it('in the id, hostname, OS, runner version, tags, tools and run names', () => {
    const device = deviceRecord({
      id: evil,
      hostname: evil,
      os: { platform: evil, release: '1', arch: 'x64' },
      runner_version: evil,
      tags: [evil],
      tools: [evil],
    });
    const message = build({ device, id: evil, runs: [runSummary({ runbook_name: evil })] });
    const text = allText(message);
    for (const r of raw) expect(text).not.toContain(r);
    expect(text).toContain(`*Hostname*\n${escaped}`);
    expect(text).toContain(`*OS*\n${escaped} 1 (x64)`);
    expect(text).toContain(`*Runner*\n${escaped}`);
    expect(text).toContain(`*Tags*\n\`${escaped}\``);
    expect(text).toContain(`*Tools offered*\n\`${escaped}\``);
    expect(text).toContain(`*${escaped}* v3`);
    expect(text).toContain(`\`/runbook start NAME device=${escaped}\``);
    expect(message.text).toBe(`Device ${escaped} (${escaped}): online, last seen 12s ago`);
  });

  it('in an unknown id, shown in code and cut to a sensible length', () => {
    const message = build({ device: null, id: `${evil}${'&'.repeat(500)}` });
    const [text] = mrkdwnTexts(message);
    for (const r of raw) expect(allText(message)).not.toContain(r);
    expect(text!.startsWith(`Device \`${escaped}&amp;`)).toBe(true);
    expect(text).toContain(`Start a runner on it: \`runbook-bot runner --device-id ${escaped}&amp;`);
    expect(text).not.toMatch(/&(?!(amp|lt|gt);)/);
    expect(message.text.startsWith(`Device ${escaped}&amp;`)).toBe(true);
  });
});

describe('itemList', () => {
  it('shows each item in code and cuts the list to the characters given', () => {
    expect(itemList(['a', 'b'])).toBe('`a` `b`');
    expect(itemList([])).toBe('_none_');
    expect(itemList(['aaaa', 'bbbb', 'cccc'], 13)).toBe('`aaaa` `bbbb` +1 more');
    expect(itemList(['x'.repeat(100)])).toBe(`\`${'x'.repeat(59)}…\``);
  });
});
