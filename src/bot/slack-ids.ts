// Every Slack identifier the bot registers or renders, in one place: listeners and views
// import them from here, and a test checks them against manifest.yml and the Bolt app.

export const SLASH_COMMAND = '/runbook';

/** Buttons on the run message, App Home and alert cards. Values are parsed by action-value.ts. */
export const ActionId = {
  Done: 'run_done',
  /** One button per outcome of `next_on_outcome`; the outcome travels in the value. */
  Outcome: 'run_outcome',
  Approve: 'run_approve',
  Reject: 'run_reject',
  Skip: 'run_skip',
  /** Opens the fail-reason modal. */
  Fail: 'run_fail',
  Pause: 'run_pause',
  Resume: 'run_resume',
  /** On a failed run: the failed step becomes active again. */
  Retry: 'run_retry',
  /** Carries a confirm dialog. */
  Cancel: 'run_cancel',
  /** A tool step of a `human` runbook: runs its tool on the device and shows the result. */
  RunTool: 'run_tool',
  /** App Home: opens the inputs modal for a runbook. */
  StartRunbook: 'home_start_runbook',
  /** An alert card: starts the matched playbook. */
  AlertRun: 'alert_run',
  /** An alert card: dismisses the suggestions. */
  AlertDismiss: 'alert_dismiss',
} as const;
export type ActionId = (typeof ActionId)[keyof typeof ActionId];

/** Modal callback ids. */
export const ViewId = {
  /** The run's variables, asked before starting it. */
  StartInputs: 'start_inputs',
  /** Why a step failed. */
  FailReason: 'fail_reason',
} as const;
export type ViewId = (typeof ViewId)[keyof typeof ViewId];

/** Events API subscriptions. */
export const EventName = {
  AppHomeOpened: 'app_home_opened',
  /** Messages in channels the bot is in (subscribed as message.channels and message.groups): alerts. */
  Message: 'message',
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

/** Block ids the bot reads back from view submissions. */
export const BlockId = {
  /** Input block for variable NAME is `var:NAME`. */
  variablePrefix: 'var:',
  FailReason: 'fail_reason',
} as const;

/** The action id inside every input element (Slack needs one; the block id tells them apart). */
export const INPUT_ACTION_ID = 'value';
