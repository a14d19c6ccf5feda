import { describe, expect, it } from 'vitest';

import { buildRunbookList } from '../../../src/bot/views/runbook-list.js';
import { messageLimitProblems } from './support/block-limits.js';
import { runbookRecord as runbook } from './support/records.js';

const INJECTION = '<!channel> <@U123> <http://x|y> &';
const ESCAPED = '&lt;!channel&gt; &lt;@U123&gt; &lt;http://x|y&gt; &amp;';

const body = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

describe('buildRunbookList', () => {
  it('shows name, slug, status, published version and description', () => {
    const text = body(buildRunbookList([runbook()], { hasMore: false }));
    expect(text).toContain('*Deploy to Production* `deploy-to-production` · published · v2');
    expect(text).toContain('Standard deployment.');
  });

  it('gives each published runbook a start hint and no others', () => {
    const list = buildRunbookList(
      [runbook(), runbook({ id: 'rnb_bbbbbbbbbbbb', slug: 'draft-one', status: 'draft', published_version: null })],
      { hasMore: false },
    );
    const text = body(list);
    expect(text).toContain('Start: `/runbook start deploy-to-production`');
    expect(text).not.toContain('/runbook start draft-one');
    expect(text).toContain('`draft-one` · draft · v3');
  });

  it('says so when there are no runbooks at all', () => {
    const list = buildRunbookList([], { hasMore: false });
    expect(list.text).toBe('No runbooks yet.');
    expect(body(list)).toContain('runbook-bot import --publish FILE');
  });

  it('echoes the escaped query when nothing matches', () => {
    const list = buildRunbookList([], { query: INJECTION, hasMore: false });
    expect(list.text).toContain(ESCAPED);
    expect(body(list)).toContain(`No runbooks match “${ESCAPED}”`);
    expect(JSON.stringify(list)).not.toMatch(/<!channel>|<@U123>|<http:\/\/x\|y>/);
  });

  it('escapes names and descriptions written by authors', () => {
    const list = buildRunbookList([runbook({ name: INJECTION, description: INJECTION })], { query: INJECTION, hasMore: false });
    expect(body(list)).toContain(`*${ESCAPED}*`);
    expect(JSON.stringify(list)).not.toMatch(/<!channel>|<@U123>|<http:\/\/x\|y>/);
  });

  it('cuts long descriptions', () => {
    const text = body(buildRunbookList([runbook({ description: 'word '.repeat(1000) })], { hasMore: false }));
    expect(text).toContain('word…');
    expect(text.length).toBeLessThan(1000);
  });

  it('says there are more when the store has more', () => {
    expect(body(buildRunbookList([runbook()], { hasMore: true }))).toContain('… and more.');
  });

  it('stays within the message limits with 100 big runbooks', () => {
    const items = Array.from({ length: 100 }, (_, i) =>
      runbook({ id: `rnb_${String(i).padStart(12, '0')}`, name: `${'<'.repeat(255)}${i}`, description: '&'.repeat(5000) }),
    );
    const list = buildRunbookList(items, { query: 'x'.repeat(5000), hasMore: true });
    expect(messageLimitProblems(list)).toEqual([]);
    expect(body(list)).toContain('… and 60+ more.');
  });
});
