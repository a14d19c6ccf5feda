import { describe, expect, it } from 'vitest';

import { buildHelp, USAGE } from '../../../src/bot/views/help.js';
import { messageLimitProblems } from './support/block-limits.js';

const allText = (m: ReturnType<typeof buildHelp>) => JSON.stringify(m.blocks);

describe('buildHelp', () => {
  it('has one usage line for each subcommand of /runbook', () => {
    expect(Object.keys(USAGE)).toEqual(['help', 'list', 'start', 'status', 'runs', 'resume', 'pause', 'cancel', 'device', 'alerts']);
    expect(USAGE.device).toBe('/runbook device ID');
    expect(USAGE.start).toBe('/runbook start NAME [key=value ...]');
    expect(USAGE.runs).toBe('/runbook runs [status]');
  });

  it('lists every usage line in a code span with an explanation', () => {
    const text = allText(buildHelp());
    for (const usage of Object.values(USAGE)) expect(text).toContain(`\`${usage}\` — `);
  });

  it('shows that values with spaces can be quoted', () => {
    expect(allText(buildHelp())).toContain('start deploy version=\\"1.2 beta\\"');
  });

  it('names the statuses runs can be filtered by', () => {
    expect(allText(buildHelp())).toContain('rolled_back');
  });

  it('stays within the message limits', () => {
    expect(messageLimitProblems(buildHelp())).toEqual([]);
  });
});
