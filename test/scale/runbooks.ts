// The runbooks the scale harness drives: branches and loops, a gate with a rejected route, a
// hybrid runbook whose tool steps run on a device (a verify that passes or fails as the run's
// `verdict` says, a rollback, an `act` that waits for an approver), waits of 1–2 s, and a
// short one for volume. Two rules keep each run's command sequence decidable by the model
// (see model.ts): the first step is a person's, and the step after a wait is a person's
// action (so a command sent during a wait races at most the wait itself).

export const APPROVER = { id: 'U0BOB', name: 'bob' } as const;
export const STARTER = { id: 'U0ALICE', name: 'alice' } as const;

export type RunbookKind = 'branch' | 'gate' | 'tools' | 'quick';

export const RUNBOOKS: Record<RunbookKind, Record<string, unknown>> = {
  branch: {
    name: 'Scale branch',
    audience: 'human',
    steps: [
      { label: 'Prepare', ref: 'prep', required: false },
      { label: 'Choose path', ref: 'choose', type: 'branch', next_on_outcome: { left: 'step:left', right: 'step:right', again: 'step:prep' } },
      { label: 'Left', ref: 'left', next_default: 'step:settle' },
      { label: 'Right check', ref: 'right', type: 'check', next_on_outcome: { pass: 'step:settle', fail: 'step:choose' } },
      { label: 'Settle', ref: 'settle', type: 'wait', wait_seconds: 1 },
      { label: 'Finish', ref: 'finish' },
    ],
  },
  gate: {
    name: 'Scale gate',
    audience: 'human',
    steps: [
      { label: 'Request change', ref: 'request' },
      { label: 'Approve change', ref: 'approve', type: 'gate', approvers: [APPROVER.id], next_on_outcome: { rejected: 'step:revise' } },
      { label: 'Apply change', ref: 'apply', next_default: null },
      { label: 'Revise', ref: 'revise', required: false, next_default: 'step:approve' },
    ],
  },
  tools: {
    name: 'Scale tools',
    audience: 'hybrid',
    variables: [
      { name: 'tag', required: true },
      { name: 'verdict', default: 'pass' },
    ],
    steps: [
      { label: 'Start checks', ref: 'begin' },
      { label: 'Probe', ref: 'probe', type: 'diagnose', tool: 'scale_probe', tool_input: { tag: '{tag}', step: 'probe', verdict: '{verdict}' } },
      {
        label: 'Verify probe',
        ref: 'verify',
        type: 'verify',
        tool: 'scale_probe',
        tool_input: { tag: '{tag}', step: 'verify', verdict: '{verdict}' },
        verify: { metric: 'verdict', operator: 'eq', value: 'pass' },
        on_failure: 'rollback',
      },
      { label: 'Apply fix', ref: 'fix', type: 'act', tool: 'scale_probe', tool_input: { tag: '{tag}', step: 'fix', verdict: 'pass' }, approvers: [APPROVER.id] },
      { label: 'Cool down', ref: 'cool', type: 'wait', wait_seconds: 2 },
      { label: 'Sign off', ref: 'signoff' },
      { label: 'Undo probe', ref: 'undo', type: 'rollback', tool: 'scale_probe', tool_input: { tag: '{tag}', step: 'undo', verdict: 'pass' } },
    ],
  },
  quick: {
    name: 'Scale quick',
    audience: 'human',
    steps: [
      { label: 'One', ref: 'one' },
      { label: 'Two', ref: 'two', required: false },
      { label: 'Three', ref: 'three' },
    ],
  },
};

/** `/runbook start` finds a runbook by its slug. */
export const SLUGS: Record<RunbookKind, string> = {
  branch: 'scale-branch',
  gate: 'scale-gate',
  tools: 'scale-tools',
  quick: 'scale-quick',
};
