// Renders sandbox components to HTML the way the page would, in a fixed workspace with
// dates in en-US and UTC so output does not depend on the machine.
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

import type { SandboxState } from '../../src/sandbox/web/types.js';
import { WorkspaceContext, type Workspace } from '../../src/sandbox/web/workspace.js';

/** 2023-11-14T22:13:20Z, a Tuesday. */
export const T0 = 1_700_000_000;

export const WORKSPACE: Workspace = {
  users: [
    { id: 'UOPS', name: 'olivia', real_name: 'Olivia Operator', title: 'On-call operator' },
    { id: 'UAPP', name: 'arthur', real_name: 'Arthur Approver', title: 'Approver' },
  ],
  channels: [
    { id: 'COPS', name: 'ops' },
    { id: 'CINC', name: 'incidents' },
  ],
  bot: { user_id: 'UBOT', name: 'runbook-bot' },
  dates: { locale: 'en-US', timeZone: 'UTC', now: T0 * 1000 },
};

export function render(node: ComponentChildren, ws: Workspace = WORKSPACE): string {
  return renderToString(<WorkspaceContext.Provider value={ws}>{node}</WorkspaceContext.Provider>);
}

export function state(overrides: Partial<SandboxState> = {}): SandboxState {
  return {
    team: { id: 'T0FAKE', name: 'Fake Ops' },
    bot: { user_id: 'UBOT', name: 'runbook-bot' },
    users: WORKSPACE.users,
    channels: WORKSPACE.channels,
    messages: [],
    homes: {},
    views: [],
    ...overrides,
  };
}

export const noop = () => {};
