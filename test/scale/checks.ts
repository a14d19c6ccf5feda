// After a drive: every run as stored against its model, the Slack posts per run, and the
// tool executions per step. Each difference is reported with the run id and what differed.
import { readFile } from 'node:fs/promises';

import { createRunStore } from '../../src/models/run-store.js';
import type { AuditEntry, Run, RunStep } from '../../src/engine/index.js';
import { instanceOfToken, type Cluster } from './cluster.js';
import type { DriveResult, RunRecord } from './driver.js';
import { fingerprintOf, viewOf } from './model.js';

export type Finding =
  /** A command (or the system's) took effect more often than once, or another message, reply or tool call than expected was made. */
  | 'duplicate'
  /** Something expected did not happen (a reply, a tool call). */
  | 'missing'
  /** The stored run, its audit trail or its message differs from the model. */
  | 'mismatch'
  /** Slack stopped showing what the model predicted while the run was driven. */
  | 'diverged'
  /** Worth knowing, not wrong: an approval request the notifier never posted because the step was approved before it tried again. */
  | 'note';

export interface Problem {
  finding: Finding;
  runId: string | null;
  /** The run's place in the drive, and its channel (the fake Slack's). */
  index: number;
  what: string;
}

export interface CheckReport {
  problems: Problem[];
  /** Runs by final stored status. */
  statuses: Record<string, number>;
  livePosts: number;
  stepReplies: number;
  approvalRequests: number;
  toolCalls: number;
  /** Audit entries stored for the drive's runs: every command that took effect, the system's included. */
  applied: number;
  /** Slack calls the fake answered with an error, and posts to channels no run owns. */
  failedSlackCalls: number;
  strayPosts: number;
  /** Slack Web API calls the instances made, by method. */
  slackCalls: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the fake Slack has had no call for `quietMs` (at most `maxMs`): every instance's renders are out. */
export async function quiesce(cluster: Cluster, quietMs = 3_000, maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cluster.fake.calls.length;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    if (cluster.fake.calls.length !== last) {
      last = cluster.fake.calls.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
  }
}

type Block = { text?: { text?: string } };
const firstText = (blocks: unknown[] | undefined) => ((blocks?.[0] as Block | undefined)?.text?.text ?? '').trim();
const isStepReply = (heading: string) => /^[✓⏭✗] \*Step \d+\//.test(heading);
const isApprovalRequest = (text: string) => /needs an approval|once approved/.test(text);

function multisetDiff(expected: string[], actual: string[]): { missing: string[]; extra: string[] } {
  const left = new Map<string, number>();
  for (const e of expected) left.set(e, (left.get(e) ?? 0) + 1);
  const extra: string[] = [];
  for (const a of actual) {
    const n = left.get(a) ?? 0;
    if (n > 0) left.set(a, n - 1);
    else extra.push(a);
  }
  const missing = [...left.entries()].flatMap(([k, n]) => Array.from({ length: n }, () => k));
  return { missing, extra };
}

/** Every Slack call about a run's message and thread, in order: when (ms after the first), which instance, what. */
function slackTimeline(cluster: Cluster, channel: string): string {
  const calls = cluster.fake.calls.filter((c) => c.args.channel === channel && (c.method === 'chat.postMessage' || c.method === 'chat.update'));
  const t0 = calls[0]?.at ?? 0;
  return calls
    .map((c) => {
      const blocks = c.args.blocks as unknown[] | undefined;
      const what =
        c.method === 'chat.update'
          ? `update: ${fingerprintOf(blocks).split('\n').filter((l) => l.startsWith('H ') || l.startsWith('S ')).map((l) => l.slice(2).split('\n')[0]).join(' / ')}`
          : c.args.thread_ts === undefined
            ? 'live message posted'
            : `reply: ${firstText(blocks).slice(0, 100)}`;
      return `+${c.at - t0} ms instance ${instanceOfToken(c.token)}${c.ok ? '' : ' (failed)'} ${what}`;
    })
    .join('\n    ');
}

const stepFields = (s: RunStep) => ({
  status: s.status,
  outcome: s.outcome,
  visit: s.visit,
  visits: s.visits,
  tool_tries: s.tool_tries,
  tool_running: s.tool_running,
  awaiting_approval: s.awaiting_approval,
  error: s.error,
  notes: s.notes,
  actor: s.actor ? `${s.actor.kind}:${s.actor.id}` : null,
});

const auditLine = (e: AuditEntry) =>
  [e.command, e.step_id ?? '-', e.visit ?? '-', e.outcome ?? '-', `${e.from_status}→${e.to_status}`, e.actor.kind === 'system' ? 'system' : `${e.actor.kind}:${e.actor.id}`, e.actor.kind === 'system' ? '' : (e.key ?? '')].join(' ');

/** The stored run against the model: status, steps, audit trail. */
function compareRun(stored: Run, storedAudit: AuditEntry[], rec: RunRecord, add: (finding: Finding, what: string) => void): void {
  const model = rec.model!;
  const want = model.run;
  const top = (r: Run) => ({ status: r.status, current_step_id: r.current_step_id, visit_count: r.visit_count, error_message: r.error_message, rollback_executed: r.rollback_executed, device_id: r.device_id, driver: r.driver });
  const a = JSON.stringify(top(stored));
  const b = JSON.stringify(top(want));
  if (a !== b) add('mismatch', `run: stored ${a}, model ${b}`);
  for (const s of want.steps) {
    const got = stored.steps.find((x) => x.step_id === s.step_id);
    const label = want.runbook.steps.find((d) => d.id === s.step_id)?.label ?? s.step_id;
    const x = JSON.stringify(got ? stepFields(got) : null);
    const y = JSON.stringify(stepFields(s));
    if (x !== y) add('mismatch', `step "${label}": stored ${x}, model ${y}`);
  }
  const got = storedAudit.map(auditLine);
  const wanted = model.audit.map(auditLine);
  if (got.join('\n') !== wanted.join('\n')) {
    const keys = storedAudit.map((e) => e.key).filter((k): k is string => k !== null);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    const { missing, extra } = multisetDiff(wanted, got);
    const finding: Finding = twice.length > 0 || (extra.length > 0 && missing.length === 0) ? 'duplicate' : 'mismatch';
    add(finding, `audit trail differs${twice.length ? ` (key applied twice: ${twice.join(', ')})` : ''}:\n  stored: ${got.join('\n          ')}\n  model:  ${wanted.join('\n          ')}`);
  }
  const noise = storedAudit.filter((e) => e.key !== null && rec.noiseKeys.includes(e.key));
  if (noise.length > 0) add('mismatch', `a stale click took effect: ${noise.map(auditLine).join('; ')}`);
}

export async function checkDrive(cluster: Cluster, drive: DriveResult): Promise<CheckReport> {
  await quiesce(cluster);
  const store = createRunStore(cluster.conn);
  const problems: Problem[] = [];
  const statuses: Record<string, number> = {};
  let livePosts = 0;
  let stepReplies = 0;
  let approvalRequests = 0;
  let applied = 0;

  // Tool executions, from every device's probe log: TAG STEP DEVICE.
  const executions = new Map<string, Array<{ step: string; device: string }>>();
  let toolCalls = 0;
  for (const device of cluster.devices) {
    for (const line of (await readFile(device.probeLog, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const [tag = '', step = '', on = ''] = line.split(' ');
      toolCalls += 1;
      executions.set(tag, [...(executions.get(tag) ?? []), { step, device: on }]);
    }
  }

  const channels = new Set(drive.records.map((r) => r.channel));
  for (const rec of drive.records) {
    const add = (finding: Finding, what: string) => problems.push({ finding, runId: rec.runId, index: rec.index, what: `${what}` });
    for (const problem of rec.problems) add('mismatch', problem);
    if (rec.diverged) add('diverged', `${rec.diverged}\n  trail:\n    ${rec.trail.join('\n    ')}`);
    if (new Set(rec.startIds).size > 1) add('duplicate', `one API start key named several runs: ${[...new Set(rec.startIds)].join(', ')}`);

    // Slack: one live message, and the thread the model expects.
    const messages = cluster.fake.messages(rec.channel);
    const roots = messages.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
    livePosts += roots.length;
    if (roots.length !== 1) add(roots.length > 1 ? 'duplicate' : 'missing', `${roots.length} live messages in ${rec.channel}`);
    const root = rec.ts ?? roots[0]?.ts;
    const replies = root ? cluster.fake.threadReplies(rec.channel, root) : [];
    const headings = replies.map((m) => firstText(m.blocks as unknown[] | undefined));
    const steps = headings.filter(isStepReply);
    const approvals = headings.filter(isApprovalRequest);
    const other = headings.filter((h) => !isStepReply(h) && !isApprovalRequest(h));
    stepReplies += steps.length;
    approvalRequests += approvals.length;
    if (other.length > 0) add('duplicate', `unexpected thread replies: ${other.map((h) => JSON.stringify(h.slice(0, 120))).join(', ')}`);

    if (!rec.runId || !rec.model) continue;
    let stored: Run;
    try {
      stored = await store.load(rec.runId);
    } catch (error) {
      add('missing', `the run is not stored: ${(error as Error).message}`);
      continue;
    }
    statuses[stored.status] = (statuses[stored.status] ?? 0) + 1;
    const storedAudit = await store.audit(rec.runId);
    applied += storedAudit.length;
    if (rec.diverged) {
      executions.delete(rec.tag); // the model stopped where the run diverged: nothing more to compare
      continue;
    }

    compareRun(stored, storedAudit, rec, add);
    const model = rec.model;
    const expectedSteps = [...model.replies.values()].map((r) => r.heading);
    const stepDiff = multisetDiff(expectedSteps, steps);
    if (stepDiff.extra.length > 0) add('duplicate', `thread replies beyond one per finished step visit: ${stepDiff.extra.join(' | ')}\n  Slack:\n    ${slackTimeline(cluster, rec.channel)}`);
    if (stepDiff.missing.length > 0) add('missing', `thread replies missing: ${stepDiff.missing.join(' | ')}`);
    // One approval request per visit Slack showed waiting for approvers (they are told apart by label only).
    const labelOf = (key: string) => model.run.runbook.steps.find((s) => s.id === key.split('#')[0])?.label ?? key;
    const expectedApprovals = [...model.approvalRequests].map(labelOf).sort();
    const gotApprovals = approvals.map((t) => model.run.runbook.steps.find((s) => t.includes(`*${s.label}*`))?.label ?? t).sort();
    const approvalDiff = multisetDiff(expectedApprovals, gotApprovals);
    if (approvalDiff.extra.length > 0) add('duplicate', `approval requests beyond one per visit: ${approvalDiff.extra.join(', ')} (expected ${expectedApprovals.length}, got ${gotApprovals.length})\n  Slack:\n    ${slackTimeline(cluster, rec.channel)}`);
    // A request is posted after the update that shows the step waiting, by the instance that
    // made it; when another instance holds the claim of an earlier reply, it stops and tries
    // again a second later, and by then an approver who reads the message at once has decided.
    if (approvalDiff.missing.length > 0) add('note', `approval requests never posted: ${approvalDiff.missing.join(', ')}\n  Slack:\n    ${slackTimeline(cluster, rec.channel)}`);

    const live = root ? cluster.fake.message(rec.channel, root) : undefined;
    const shown = fingerprintOf(live?.blocks as unknown[] | undefined);
    if (shown !== viewOf(model.run)) add('mismatch', `the live message does not show the run as it ended:\n--- shown\n${shown}\n--- model\n${viewOf(model.run)}\n  Slack:\n    ${slackTimeline(cluster, rec.channel)}`);

    // Tool executions: as many per step as the engine asked for, on the run's device.
    const ran = executions.get(rec.tag) ?? [];
    executions.delete(rec.tag);
    const byStep = new Map<string, number>();
    for (const e of ran) {
      byStep.set(e.step, (byStep.get(e.step) ?? 0) + 1);
      if (e.device !== rec.device) add('mismatch', `tool step ${e.step} ran on ${e.device}, not the run's device ${rec.device ?? '(none)'}`);
    }
    for (const step of new Set([...byStep.keys(), ...model.toolCalls.keys()])) {
      const got = byStep.get(step) ?? 0;
      const want = model.toolCalls.get(step) ?? 0;
      if (got !== want) add(got > want ? 'duplicate' : 'missing', `tool step ${step} ran ${got} time(s), the model asked ${want}`);
    }
  }
  for (const [tag, ran] of executions) problems.push({ finding: 'duplicate', runId: null, index: -1, what: `tool calls for no run driven (tag ${tag}): ${ran.map((e) => e.step).join(', ')}` });

  const failedSlackCalls = cluster.fake.calls.filter((c) => !c.ok).length;
  const strayPosts = cluster.fake.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && !channels.has(String(c.args.channel))).length;
  const slackCalls: Record<string, number> = {};
  for (const c of cluster.fake.calls) slackCalls[c.method] = (slackCalls[c.method] ?? 0) + 1;
  return { problems, statuses, livePosts, stepReplies, approvalRequests, toolCalls, applied, failedSlackCalls, strayPosts, slackCalls };
}

/** A problem's kind: its finding and first line with ids, numbers and quoted names taken out. */
export function problemKind(p: Problem): string {
  const line = p.what.split('\n')[0] ?? '';
  return `${p.finding}: ${line.replace(/"[^"]*"|\{.*\}|\b(run|rbs|rrs)_[a-z0-9]+|\d+/g, '…').slice(0, 160)}`;
}

/** How many problems of each kind. */
export function countProblems(problems: Problem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(problemKind(p), (counts.get(problemKind(p)) ?? 0) + 1);
  return counts;
}

/** Counts by kind, then one paragraph per problem (the first `limit`, each kind's first ones first). */
export function describeProblems(problems: Problem[], limit = 30): string {
  const counts = [...countProblems(problems)].map(([kind, n]) => `${String(n).padStart(5)} × ${kind}`);
  const seenKinds = new Set<string>();
  const firsts: Problem[] = [];
  const rest: Problem[] = [];
  for (const p of problems) {
    if (seenKinds.has(problemKind(p))) rest.push(p);
    else {
      seenKinds.add(problemKind(p));
      firsts.push(p);
    }
  }
  const ordered = [...firsts, ...rest];
  const shown = ordered.slice(0, limit).map((p) => `[${p.finding}] run ${p.runId ?? '?'} (#${p.index}): ${p.what}`);
  return [counts.join('\n'), ...shown, ...(problems.length > limit ? [`… and ${problems.length - limit} more`] : [])].join('\n\n');
}
