// The runbooks the sandbox offers on first start, so a new user can run one end to end in a
// minute: a deploy with an input, a check that branches, a short wait and an approval gate;
// and a release on the demo device whose verify fails, to see a rollback undo its acts.
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseDefinition } from '../engine/definition/index.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { DEMO_DEVICE_ID, DEMO_SERVICES } from './demo/demo-device.js';
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

export const ROLLBACK_RUNBOOK = 'Release web v2';

const { web, brokenRelease } = DEMO_SERVICES;
const service = (name: string, action: string) => ({ tool: 'manage_services', tool_input: { service: name, action } });

export const ROLLBACK_DEFINITION = {
  name: ROLLBACK_RUNBOOK,
  description: `Moves ${web} on the demo device to release v2, and back when v2 does not come up: a verify that fails, and the rollback steps undoing the acts in reverse order.`,
  category: 'deployment',
  audience: 'agentic',
  variables: [{ name: 'deviceId', description: 'Device to release on', required: true, default: DEMO_DEVICE_ID }],
  steps: [
    { label: 'Check the running release', type: 'diagnose', instruction: `Reads the status of ${web} (release v1) before changing anything.`, ...service(web, 'status') },
    { label: 'Stop release v1', type: 'act', instruction: `Stops ${web}.`, ...service(web, 'stop'), on_failure: 'rollback' },
    { label: 'Start release v2', type: 'act', instruction: `Starts ${brokenRelease}.`, ...service(brokenRelease, 'start'), on_failure: 'rollback' },
    { label: 'Let v2 warm up', type: 'wait', wait_seconds: 3 },
    {
      label: 'Verify v2 is running',
      type: 'verify',
      instruction: `Passes when ${brokenRelease} is running; otherwise the rollback steps put v1 back.`,
      ...service(brokenRelease, 'status'),
      verify: { metric: 'service_status', operator: 'eq', value: 'running' },
      on_failure: 'rollback',
    },
    { label: 'Start release v1 again', type: 'rollback', instruction: `Undoes "Stop release v1".`, ...service(web, 'start') },
    { label: 'Stop release v2', type: 'rollback', instruction: `Undoes "Start release v2"; runs first, as rollback steps run in reverse.`, ...service(brokenRelease, 'stop') },
  ],
};

/** Saves the examples once; a team that changed or removed one keeps what it did. */
export async function ensureExampleRunbooks(runbooks: RunbookStore, logger: Logger): Promise<void> {
  for (const definition of [EXAMPLE_DEFINITION, ROLLBACK_DEFINITION]) {
    const parsed = parseDefinition(definition);
    if (!parsed.ok) throw new AppError(ErrorCode.Internal, `the sandbox's runbook "${definition.name}" does not parse: ${JSON.stringify(parsed.problems)}`);
    try {
      await runbooks.save({ source: parsed.source, author: { kind: 'cli', id: 'sandbox' }, publish: true, mustCreate: true });
      logger.info('sandbox example runbook created', { name: definition.name });
    } catch (error) {
      if (!(error instanceof AppError && error.code === ErrorCode.Conflict)) throw error;
    }
  }
}
