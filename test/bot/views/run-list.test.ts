import { describe, expect, it } from 'vitest';

import { buildRunList } from '../../../src/bot/views/run-list.js';
import { messageLimitProblems } from './support/block-limits.js';
import { MIN, NOW, runSummary as run } from './support/records.js';

const body = (m: { blocks: unknown[] }) => JSON.stringify(m.blocks);

describe('buildRunList', () => {
  it('shows the run id, runbook name and version, status, starter and age', () => {
    const text = body(buildRunList([run()], { now: NOW }));
    expect(text).toContain('*Deploy* v3 · `run_aaaaaaaaaaaa` · ▶️ Running');
    expect(text).toContain('Started by <@U012AB3CD> · started 5m 00s ago');
  });

  it('shows how long a finished run took', () => {
    const done = run({ status: 'completed', completed_at: NOW - 2 * 60 * MIN, created_at: NOW - 2 * 60 * MIN - 185_000 });
    const text = body(buildRunList([done], { now: NOW }));
    expect(text).toContain('✅ Completed');
    expect(text).toContain('took 3m 05s, ended 2h 00m ago');
  });

  it('names non-Slack starters by name, escaped', () => {
    const text = body(buildRunList([run({ started_by: { kind: 'agent', id: 'a1', name: '<!channel>' } })], { now: NOW }));
    expect(text).toContain('Started by &lt;!channel&gt; ·');
    expect(text).not.toContain('<!channel>');
  });

  it('does not turn a malformed Slack id into a mention', () => {
    const text = body(buildRunList([run({ started_by: { kind: 'slack', id: '!channel' } })], { now: NOW }));
    expect(text).not.toContain('<!channel>');
  });

  it('escapes runbook names', () => {
    const list = buildRunList([run({ runbook_name: '<!here> <http://x|y>' })], { now: NOW });
    expect(body(list)).toContain('*&lt;!here&gt; &lt;http://x|y&gt;*');
  });

  it('says so when there are no runs, with the filter escaped', () => {
    expect(buildRunList([], { now: NOW }).text).toBe('No runs yet.');
    const filtered = buildRunList([], { status: ['paused', '<!channel>'], now: NOW });
    expect(filtered.text).toBe('No runs with status paused, &lt;!channel&gt;.');
    expect(body(filtered)).toContain('/runbook start NAME');
  });


  it('stays within the message limits with 100 runs and says how many it left out', () => {
    const runs = Array.from({ length: 100 }, (_, i) => run({ runbook_name: '<'.repeat(255) }, i));
    const list = buildRunList(runs, { status: ['running'], now: NOW });
    expect(messageLimitProblems(list)).toEqual([]);
    expect(body(list)).toContain('… and 60 more.');
  });
});
