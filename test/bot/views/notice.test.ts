import { describe, expect, it } from 'vitest';

import { USAGE } from '../../../src/bot/views/help.js';
import { buildNotice } from '../../../src/bot/views/notice.js';
import { messageLimitProblems } from './support/block-limits.js';

const INJECTION = 'No runbook <!channel> <@U123> <http://x|y> & co';
const ESCAPED = 'No runbook &lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp; co';

describe('buildNotice', () => {
  it('names the problem as an error by default', () => {
    const notice = buildNotice('No runbook called "deploy"');
    expect(notice.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: ':warning: No runbook called "deploy"', verbatim: true } }]);
    expect(notice.text).toBe('No runbook called "deploy"');
  });

  it('uses an info icon for information', () => {
    expect(JSON.stringify(buildNotice('Run paused', { level: 'info' }).blocks)).toContain(':information_source: Run paused');
  });

  it('shows the right usage in a code span when given', () => {
    const notice = buildNotice('Which run?', { usage: USAGE.status });
    expect(notice.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Usage: `/runbook status RUN`', verbatim: true }] });
    expect(notice.text).toContain('Usage: /runbook status RUN');
  });

  it('escapes user text in the blocks and the fallback text', () => {
    const notice = buildNotice(INJECTION, { usage: '<!here> `x`' });
    const text = JSON.stringify(notice);
    expect(text).toContain(ESCAPED);
    expect(text).toContain('`&lt;!here&gt; ˋxˋ`');
    expect(text).not.toMatch(/<!channel>|<@U123>|<http:\/\/x\|y>|<!here>/);
    expect(notice.text).toContain(ESCAPED);
  });

  it('never renders an empty section for an empty message', () => {
    expect(messageLimitProblems(buildNotice('  '))).toEqual([]);
  });

  it('cuts a huge message to fit the limits', () => {
    const notice = buildNotice('<'.repeat(10_000), { usage: 'x'.repeat(5_000) });
    expect(messageLimitProblems(notice)).toEqual([]);
    expect(JSON.stringify(notice)).not.toMatch(/&l…|&…/);
  });
});
