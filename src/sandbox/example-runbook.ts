// The runbook the sandbox offers on first start, so a new user can run one end to end in a
// minute: an input, a check that branches, a short wait and an approval gate.
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseDefinition } from '../engine/definition/index.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { SANDBOX_USERS } from './people.js';

export const EXAMPLE_RUNBOOK = 'Deploy example';

const APPROVER = SANDBOX_USERS.find((u) => u.name === 'bob')!.id;

export const EXAMPLE_DEFINITION = {
  name: EXAMPLE_RUNBOOK,
  description: 'A deploy to try the bot with: pick a version, check staging, wait for metrics, get an approval, go.',
  category: 'deployment',
  variables: [{ name: 'version', description: 'Release version, e.g. 1.4.2', required: true }],
  steps: [
    { label: 'Announce the deploy', instruction: 'Tell #ops that {version} goes out now.' },
    { label: 'Check staging', type: 'check', ref: 'staging', instruction: 'Is {version} healthy on staging?', next_on_outcome: { pass: 'step:settle', fail: 'step:fix' } },
    { label: 'Fix staging', ref: 'fix', instruction: 'Fix what failed, then check again.', next_on_outcome: { done: 'step:staging' } },
    { label: 'Let metrics settle', ref: 'settle', type: 'wait', wait_seconds: 5 },
    { label: 'Approve the release', type: 'gate', approvers: [APPROVER], instruction: 'Bob approves production deploys.' },
    { label: 'Deploy', instruction: 'Deploy {version} to production.' },
  ],
};

/** Saves the example once; a team that changed or removed it keeps what it did. */
export async function ensureExampleRunbook(runbooks: RunbookStore, logger: Logger): Promise<void> {
  const parsed = parseDefinition(EXAMPLE_DEFINITION);
  if (!parsed.ok) throw new AppError(ErrorCode.Internal, `the sandbox's example runbook does not parse: ${JSON.stringify(parsed.problems)}`);
  try {
    await runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'sandbox' }, publish: true, mustCreate: true });
    logger.info('sandbox example runbook created', { name: EXAMPLE_RUNBOOK });
  } catch (error) {
    if (!(error instanceof AppError && error.code === ErrorCode.Conflict)) throw error;
  }
}
