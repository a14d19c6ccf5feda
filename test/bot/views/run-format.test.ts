import { describe, expect, it } from 'vitest';
import {
  contextBlock,
  formatActor,
  formatActorPlain,
  formatApprover,
  formatDuration,
  formatStatus,
  progressBar,
  sectionBlock,
  slackDate,
  statusEmoji,
  statusLabel,
  stepMark,
} from '../../../src/bot/views/run-format.js';
import { RUN_STATUSES, STEP_STATUSES } from '../../../src/engine/index.js';

describe('status labels', () => {
  it('gives every run status its own label and emoji', () => {
    const labels = RUN_STATUSES.map(statusLabel);
    const emoji = RUN_STATUSES.map(statusEmoji);
    expect(new Set(labels).size).toBe(RUN_STATUSES.length);
    expect(new Set(emoji).size).toBe(RUN_STATUSES.length);
    expect(formatStatus('rolled_back')).toBe('↩️ Rolled back');
    expect(formatStatus('running')).toBe('▶️ Running');
  });

  it('marks steps ✓ completed, ⏭ skipped, ✗ failed, ▶ active and · pending', () => {
    expect(STEP_STATUSES.map((s) => [s, stepMark(s)])).toEqual([
      ['pending', '·'],
      ['active', '▶'],
      ['completed', '✓'],
      ['skipped', '⏭'],
      ['failed', '✗'],
    ]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [4_000, '4s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [125_000, '2m 05s'],
    [3_600_000, '1h 00m'],
    [3_720_000, '1h 02m'],
    [86_400_000 + 4 * 3_600_000, '1d 04h'],
    [-5_000, '0s'],
    [Number.NaN, '0s'],
  ])('formats %d ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('progressBar', () => {
  it.each([
    [0, 10, '░░░░░░░░░░ 0/10'],
    [4, 10, '▓▓▓▓░░░░░░ 4/10'],
    [10, 10, '▓▓▓▓▓▓▓▓▓▓ 10/10'],
    [99, 100, '▓▓▓▓▓▓▓▓▓░ 99/100'],
    [1, 3, '▓▓▓░░░░░░░ 1/3'],
    [0, 0, '░░░░░░░░░░ 0/0'],
  ])('shows %d of %d as %j', (done, total, expected) => {
    expect(progressBar(done, total)).toBe(expected);
  });

  it('takes another width', () => {
    expect(progressBar(1, 2, 4)).toBe('▓▓░░ 1/2');
  });
});

describe('formatActor', () => {
  it('mentions a Slack user by a well-formed id', () => {
    expect(formatActor({ kind: 'slack', id: 'U0ALICE', name: 'alice' })).toBe('<@U0ALICE>');
    expect(formatActor({ kind: 'slack', id: 'W012AB3CD' })).toBe('<@W012AB3CD>');
  });

  it('never builds a mention from an id that does not look like one', () => {
    expect(formatActor({ kind: 'slack', id: 'U1>|<!channel', name: 'mallory' })).toBe('mallory');
    expect(formatActor({ kind: 'slack', id: 'U1>|<!channel' })).toBe('slack:U1&gt;|&lt;!channel');
    expect(formatActor({ kind: 'api', id: 'U0ALICE' })).toBe('api:U0ALICE');
  });

  it('escapes a name and shows kind:id when there is none', () => {
    expect(formatActor({ kind: 'agent', id: 'a1', name: '<!channel> & co' })).toBe('&lt;!channel&gt; &amp; co');
    expect(formatActor({ kind: 'system', id: 'worker' })).toBe('system:worker');
    expect(formatActor({ kind: 'cli', id: 'ops', name: '  ' })).toBe('cli:ops');
  });

  it('cuts a long name without splitting an entity', () => {
    const shown = formatActor({ kind: 'api', id: 'k', name: '&'.repeat(200) }, 12);
    expect(shown).toBe('&amp;&amp;…');
  });

  it('gives plain text for notifications', () => {
    expect(formatActorPlain({ kind: 'slack', id: 'U0ALICE', name: 'alice' })).toBe('alice');
    expect(formatActorPlain({ kind: 'slack', id: 'U0ALICE' })).toBe('U0ALICE');
    expect(formatActorPlain({ kind: 'api', id: 'key1' })).toBe('api:key1');
  });
});

describe('formatApprover', () => {
  it.each([
    ['U012AB3CD', '<@U012AB3CD>'],
    ['W1', '<@W1>'],
    ['S0614TZR7', '<!subteam^S0614TZR7>'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['u012', 'u012'],
  ])('renders %j as %j', (id, expected) => {
    expect(formatApprover(id)).toBe(expected);
  });
});

describe('slackDate', () => {
  it('builds a date token in seconds with a UTC fallback', () => {
    const ms = Date.UTC(2026, 10, 22, 12, 0, 30, 900);
    expect(slackDate(ms)).toBe(`<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|2026-11-22 12:00 UTC>`);
  });

  it('takes another format', () => {
    expect(slackDate(0, '{date_num}')).toBe('<!date^0^{date_num}|1970-01-01 00:00 UTC>');
  });

  it('says the time is unknown rather than throwing on an impossible one', () => {
    expect(slackDate(Number.NaN)).toBe('unknown time');
    expect(slackDate(1e20)).toBe('unknown time');
  });
});

describe('block helpers', () => {
  it('marks mrkdwn verbatim so Slack does not parse plain text into mentions', () => {
    expect(sectionBlock('x')).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'x', verbatim: true } });
    expect(contextBlock('a', 'b').elements).toEqual([
      { type: 'mrkdwn', text: 'a', verbatim: true },
      { type: 'mrkdwn', text: 'b', verbatim: true },
    ]);
  });
});
