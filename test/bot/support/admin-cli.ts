// `runbook-bot …` as an admin types it, against the rig bot's own database.
import { expect, inject } from 'vitest';

import { runCaptured } from '../../cli/support/cli.js';
import type { BotRig } from './bot-rig.js';

/** Runs the CLI in-process; fails the test unless it exits 0 with nothing on stderr. Returns stdout. */
export function adminCli(rig: () => BotRig): (...argv: string[]) => Promise<string[]> {
  return async (...argv) => {
    const uri = `${inject('mongodbUri').replace(/\/$/, '')}/${rig().app.db.conn.name}`;
    const result = await runCaptured(argv, { MONGODB_URI: uri, RUNBOOK_BOT_USER: 'ops-admin' });
    expect(result).toMatchObject({ code: 0, stderr: [] });
    return result.stdout;
  };
}
