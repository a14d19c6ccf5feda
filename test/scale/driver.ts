// Drives runs across the cluster's instances as people and agents would, many at once, each
// run's commands one after another: start it (a slash command, or the API with a channel),
// then click its buttons and call the API, each request to an instance picked at random,
// and after each command wait until the fake Slack shows the state the model predicts
// (model.ts). On top, what a real Slack and real agents add:
//
// - duplicates: the same click (same action_ts) or API call (same Idempotency-Key) sent to
//   two instances at once or a moment apart, and API starts sent twice with one key;
// - retried deliveries: a click or API call that took effect, sent again later;
// - stale clicks: a button of a step visit the run has left, clicked again.
//
// None of those may change anything beyond what the single command did; the checks
// (checks.ts) compare the stored runs, the thread replies and the tool executions with the
// model afterwards. Choices come from fast-check (one plan per run, from a seed) and a
// seeded generator per run, so a seed replays the same choices (not the same timing).
import fc from 'fast-check';

import { decodeRunActionValue, type RunActionValue } from '../../src/bot/action-value.js';
import { slackActor } from '../../src/bot/slack-actor.js';
import { ActionId } from '../../src/bot/slack-ids.js';
import { buildRunMessage } from '../../src/bot/views/run-message.js';
import { currentStep, gateDecision, isTerminal, type Command, type Run } from '../../src/engine/index.js';
import { createRunStore } from '../../src/models/run-store.js';
import { apiKeyActor } from '../../src/services/principal.js';
import { blockActionPayload, createSlackSender, type SlackSender } from '../support/slack-requests.js';
import { API_KEY_NAME, SIGNING_SECRET, type Cluster } from './cluster.js';
import { fingerprintOf, paths, RunModel, systemChain, viewOf, type Path } from './model.js';
import { APPROVER, SLUGS, STARTER, type RunbookKind } from './runbooks.js';

export interface DriveOptions {
  cluster: Cluster;
  runs: number;
  /** Runs in flight at once. */
  lanes: number;
  seed: number;
  /** How long a command's effect (or the system's next step) may take to show in Slack before the run counts as diverged. */
  observeTimeoutMs: number;
  /** Runbook mix, relative weights. */
  mix?: Partial<Record<RunbookKind, number>>;
  log?: (line: string) => void;
}

export interface RunRecord {
  index: number;
  kind: RunbookKind;
  channel: string;
  tag: string;
  device: string | null;
  startedVia: 'slack' | 'api';
  runId: string | null;
  ts: string | null;
  model: RunModel | null;
  /** What the driver did, one line each, for reports. */
  trail: string[];
  /** Set when Slack stopped showing what the model predicted; the run was not driven further. */
  diverged: string | null;
  /** Run ids named by the answers to an API start (sent twice: both must name one run). */
  startIds: string[];
  /** Action ts of stale clicks and late retries, none of which may appear in the audit trail more than the model says. */
  noiseKeys: string[];
  /** What went wrong while driving without ending the drive: a valid command refused, … */
  problems: string[];
}

export interface DriveResult {
  records: RunRecord[];
  startedAt: number;
  endedAt: number;
  /** HTTP requests to the instances for starts and commands, duplicates, retries and stale clicks included. */
  requests: number;
  /** Commands the driver meant (one per start or command, however often sent). */
  commands: number;
  /** Click or API call → the chat.update that showed its effect, ms. */
  latencies: number[];
  /** Odd answers that are not state mismatches (a refusal message for a click that took effect, …). */
  anomalies: string[];
}

type Rng = () => number;

/** mulberry32: small, fast, seeded. */
function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Plan {
  kind: RunbookKind;
  startVia: 'slack' | 'api';
  startTwice: boolean;
  device: number;
  verdict: 'pass' | 'fail';
  seed: number;
}

function plans(count: number, seed: number, deviceCount: number, mix: Record<RunbookKind, number>): Plan[] {
  const kinds = (Object.keys(mix) as RunbookKind[]).filter((k) => mix[k] > 0).map((k) => ({ weight: mix[k], arbitrary: fc.constant(k) }));
  const arb = fc.record({
    kind: fc.oneof(...kinds),
    startVia: fc.oneof({ weight: 7, arbitrary: fc.constant('slack' as const) }, { weight: 3, arbitrary: fc.constant('api' as const) }),
    startTwice: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    device: fc.nat({ max: deviceCount - 1 }),
    verdict: fc.oneof({ weight: 3, arbitrary: fc.constant('pass' as const) }, { weight: 1, arbitrary: fc.constant('fail' as const) }),
    seed: fc.integer(),
  });
  return fc.sample(arb, { seed, numRuns: count });
}

/** One run's view of the fake Slack: its message's states as shown, and refusals told to its clickers. */
interface Watch {
  ts: string | null;
  runId: string | null;
  seen: Array<{ fp: string; at: number }>;
  /** What each clicker was told, by the click's response id. */
  refusals: Map<string, string>;
  /** How far `settle` has read `seen`. */
  cursor: number;
  wake: Set<() => void>;
}

/** The buttons the message shows for a state, by action id. */
function buttons(run: Run): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of buildRunMessage(run, { now: Date.now() }).blocks) {
    if (block.type !== 'actions') continue;
    for (const e of block.elements as Array<{ action_id?: string; value?: string }>) if (e.action_id && e.value) out.set(e.action_id, e.value);
  }
  return out;
}

/** What a click becomes in the bot (bot-service.ts commandFor), for the model. */
function clickCommand(actionId: string, value: RunActionValue, user: { id: string; name: string }, actionTs: string, channel: string): Command {
  const base = { actor: slackActor(user), key: `slack:${actionTs}`, source: `slack:${channel}` };
  const target = { ...(value.s ? { step_id: value.s } : {}), ...(value.v !== undefined ? { visit: value.v } : {}) };
  if (actionId === ActionId.Done) return { type: 'advance', ...base, ...target };
  if (actionId.startsWith(`${ActionId.Outcome}:`)) return { type: 'advance', ...base, ...target, ...(value.o ? { outcome: value.o } : {}) };
  if (actionId === ActionId.Approve) return { type: 'approve', ...base, ...target };
  if (actionId === ActionId.Reject) return { type: 'reject', ...base, ...target };
  if (actionId === ActionId.Skip) return { type: 'skip', ...base, ...target };
  if (actionId === ActionId.Pause) return { type: 'pause', ...base };
  if (actionId === ActionId.Resume) return { type: 'resume', ...base };
  if (actionId === ActionId.Cancel) return { type: 'cancel', ...base };
  if (actionId === ActionId.Retry) return { type: 'retry', ...base };
  throw new Error(`scale driver: no command for ${actionId}`);
}

type Intent =
  | { kind: 'click'; actionId: string; user: typeof STARTER | typeof APPROVER }
  | { kind: 'api'; call: 'advance' | 'skip' | 'fail'; outcome?: string }
  | { kind: 'api-status'; status: 'running' | 'paused' | 'cancelled' }
  | { kind: 'let-wait' };

/** The next thing a person or agent does to a run in this state. */
function choose(run: Run, rng: Rng, prefersApi: boolean, commands: number): Intent {
  const viaApi = () => rng() < (prefersApi ? 0.7 : 0.2);
  const cur = currentStep(run);
  const shown = buttons(run);
  const status = (slackAction: string, apiStatus: 'running' | 'paused' | 'cancelled'): Intent =>
    viaApi() ? { kind: 'api-status', status: apiStatus } : { kind: 'click', actionId: slackAction, user: STARTER };
  // A failed run takes only Retry; any other run that went on long enough is cancelled.
  if (run.status === 'failed') return status(ActionId.Retry, 'running');
  if (commands >= 25 || run.visit_count >= 20) return status(ActionId.Cancel, 'cancelled');
  const r = rng();
  switch (run.status) {
    case 'waiting':
      if (r < 0.65) return { kind: 'let-wait' };
      if (r < 0.85) return status(ActionId.Pause, 'paused');
      if (r < 0.95) return { kind: 'api', call: 'advance' }; // an impatient agent: refused unless the wait just ended
      return status(ActionId.Cancel, 'cancelled');
    case 'paused':
      return r < 0.93 ? status(ActionId.Resume, 'running') : status(ActionId.Cancel, 'cancelled');
    default:
      break;
  }
  if (r < 0.05) return status(ActionId.Pause, 'paused');
  if (r < 0.07) return status(ActionId.Cancel, 'cancelled');
  if (!cur) return status(ActionId.Cancel, 'cancelled');
  const { def, state } = cur;
  const q = rng();
  if (def.type === 'gate' || state.awaiting_approval) {
    if (gateDecision(run, def, state)) return { kind: 'api', call: 'advance' };
    if (q < 0.6) return { kind: 'click', actionId: ActionId.Approve, user: APPROVER };
    if (q < 0.78) return { kind: 'click', actionId: ActionId.Reject, user: APPROVER };
    if (q < 0.9) return { kind: 'click', actionId: ActionId.Approve, user: STARTER }; // not an approver: refused
    return { kind: 'api', call: 'advance' }; // refused: awaiting approval
  }
  if (def.type === 'branch' || def.type === 'check') {
    const outcomes = [...shown.keys()].filter((id) => id.startsWith(`${ActionId.Outcome}:`));
    const weighted = outcomes.flatMap((id) => (id.endsWith(':again') || id.endsWith(':fail') ? [id] : [id, id, id]));
    const actionId = pick(rng, weighted);
    if (viaApi()) return { kind: 'api', call: 'advance', outcome: actionId.slice(ActionId.Outcome.length + 1) };
    return { kind: 'click', actionId, user: STARTER };
  }
  if (q < 0.1 && !def.required) return viaApi() ? { kind: 'api', call: 'skip' } : { kind: 'click', actionId: ActionId.Skip, user: STARTER };
  if (q < 0.15) return { kind: 'api', call: 'fail' };
  return viaApi() ? { kind: 'api', call: 'advance' } : { kind: 'click', actionId: ActionId.Done, user: STARTER };
}

export async function drive(opts: DriveOptions): Promise<DriveResult> {
  const { cluster } = opts;
  const { fake } = cluster;
  const log = opts.log ?? (() => {});
  const mix: Record<RunbookKind, number> = { branch: 3, gate: 2, tools: 3, quick: 2, ...opts.mix };
  const senders: SlackSender[] = cluster.instances.map((i) =>
    createSlackSender({ url: `http://127.0.0.1:${i.port}/slack/events`, signingSecret: SIGNING_SECRET, responseUrlFor: fake.responseUrl }),
  );
  const apiBase = cluster.instances.map((i) => `http://127.0.0.1:${i.port}`);
  const watches = new Map<string, Watch>();
  const responseOwner = new Map<string, Watch>();
  const records: RunRecord[] = [];
  const latencies: number[] = [];
  const anomalies: string[] = [];
  const noise: Promise<unknown>[] = [];
  let requests = 0;
  let commands = 0;
  let clickSeq = 0;

  const notify = (watch: Watch) => {
    for (const wake of [...watch.wake]) wake();
  };
  const unsubscribe = fake.subscribe((event) => {
    if (event.kind === 'response') {
      const watch = responseOwner.get(event.response.id);
      if (watch) {
        watch.refusals.set(event.response.id, String(event.response.body.text ?? '(no text)'));
        notify(watch);
      }
      return;
    }
    const call = event.call;
    if (!call.ok || (call.method !== 'chat.postMessage' && call.method !== 'chat.update')) return;
    const watch = watches.get(String(call.args.channel));
    if (!watch) return;
    if (call.method === 'chat.postMessage') {
      if (call.args.thread_ts !== undefined) return;
      if (watch.ts === null) watch.ts = String(call.result?.ts);
      else return; // a second live message: the checks count it
    } else if (call.args.ts !== watch.ts) {
      return;
    }
    watch.seen.push({ fp: fingerprintOf(call.args.blocks as unknown[] | undefined), at: call.at });
    notify(watch);
  });

  /** Resolves with check()'s first non-undefined answer, re-checked on every event for the run and every 200 ms; null on timeout. */
  function until<T>(watch: Watch, check: () => T | undefined, timeoutMs: number): Promise<T | null> {
    return new Promise((resolve) => {
      const finish = (value: T | null) => {
        clearTimeout(timer);
        clearInterval(tick);
        watch.wake.delete(wake);
        resolve(value);
      };
      const wake = () => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      const tick = setInterval(wake, 200);
      watch.wake.add(wake);
      wake();
    });
  }

  const instanceOf = (rng: Rng) => Math.floor(rng() * cluster.instances.length);
  const otherInstance = (rng: Rng, first: number) =>
    cluster.instances.length === 1 ? first : (first + 1 + Math.floor(rng() * (cluster.instances.length - 1))) % cluster.instances.length;

  async function api(instance: number, method: string, path: string, body: unknown, idem?: string): Promise<{ status: number; json: unknown }> {
    requests += 1;
    const res = await fetch(`${apiBase[instance]}${path}`, {
      method,
      headers: { authorization: `Bearer ${cluster.apiKey}`, 'content-type': 'application/json', ...(idem ? { 'idempotency-key': idem } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  }

  async function click(instance: number, payload: object): Promise<number> {
    requests += 1;
    return (await senders[instance]!.action(payload)).status;
  }

  const store = createRunStore(cluster.conn);
  /** The stored document's status and the last audit entries, for a report. */
  async function storedTail(runId: string): Promise<string> {
    try {
      const doc = await cluster.conn.collection('runs').findOne({ _id: runId as never });
      const audit = await store.audit(runId);
      const tail = audit.slice(-5).map((e) => `#${e.seq} ${e.command} ${e.from_status}→${e.to_status} by ${e.actor.kind}:${e.actor.id}${e.key ? ` key ${e.key}` : ''} at ${new Date(e.at).toISOString().slice(11, 23)}`);
      return `stored: document ${String(doc?.status)} at audit_seq ${String(doc?.audit_seq)}; last events:\n    ${tail.join('\n    ')}`;
    } catch (error) {
      return `stored: could not read (${(error as Error).message})`;
    }
  }

  async function driveRun(rec: RunRecord, plan: Plan): Promise<void> {
    const rng = rngFrom(plan.seed);
    const watch: Watch = { ts: null, runId: null, seen: [], refusals: new Map(), cursor: 0, wake: new Set() };
    watches.set(rec.channel, watch);
    const snapshot = cluster.snapshots[plan.kind];
    const variables: Record<string, string> = plan.kind === 'tools' ? { tag: rec.tag, verdict: plan.verdict } : {};
    const trail = (line: string) => rec.trail.push(line);
    const diverge = async (why: string) => {
      rec.diverged = `${why}${watch.runId ? `\n  ${await storedTail(watch.runId)}` : ''}`;
      trail(`DIVERGED: ${rec.diverged}`);
    };

    // ---- start
    commands += 1;
    if (plan.startVia === 'slack') {
      const text = [`start ${SLUGS[plan.kind]}`, ...(rec.device ? [`device=${rec.device}`] : []), ...Object.entries(variables).map(([k, v]) => `${k}=${v}`)].join(' ');
      const instance = instanceOf(rng);
      requests += 1;
      const reply = await senders[instance]!.command({ text, channel_id: rec.channel, channel_name: rec.channel.toLowerCase(), user_id: STARTER.id, user_name: STARTER.name });
      trail(`/runbook ${text} → instance ${instance + 1}: HTTP ${reply.status}`);
    } else {
      const idem = `start-${rec.tag}`;
      const body = { variables, channel: rec.channel, ...(rec.device ? { device_id: rec.device } : {}) };
      const first = instanceOf(rng);
      const targets = plan.startTwice ? [first, otherInstance(rng, first)] : [first];
      const answers = await Promise.all(targets.map((i) => api(i, 'POST', `/v1/runbooks/${snapshot.runbook_id}/runs`, body, idem)));
      for (const a of answers) {
        const id = (a.json as { data?: { id?: string } })?.data?.id;
        if (id) rec.startIds.push(id);
      }
      trail(`POST start (key ${idem}) → instances ${targets.map((i) => i + 1).join(', ')}: HTTP ${answers.map((a) => a.status).join(', ')}`);
      if (answers.some((a) => a.status >= 300)) {
        await diverge(`the API refused the start: ${answers.map((a) => `${a.status} ${JSON.stringify(a.json).slice(0, 200)}`).join('; ')}`);
        return;
      }
    }
    const first = await until(watch, () => watch.seen[0], opts.observeTimeoutMs);
    if (!first) return diverge('the run message was never posted');
    const runId = [...buttonsOfFingerprint(first.fp)].map((v) => v.r)[0] ?? rec.startIds[0] ?? null;
    if (!runId) return diverge(`the run message shows no run id:\n${first.fp}`);
    rec.runId = runId;
    rec.ts = watch.ts;
    watch.runId = runId;
    const model = new RunModel({
      id: runId,
      runbook: snapshot,
      variables,
      ...(rec.device ? { device: rec.device } : {}),
      startedBy: plan.startVia === 'slack' ? slackActor(STARTER) : apiKeyActor(API_KEY_NAME),
      driver: plan.startVia === 'slack' ? 'person' : 'agent',
      ...(plan.startVia === 'api' ? { key: `api:${apiKeyActor(API_KEY_NAME).id}:start-${rec.tag}` } : {}),
    });
    rec.model = model;
    if (first.fp !== viewOf(model.run)) return diverge(`the first message is not the model's:\n--- shown\n${first.fp}\n--- model\n${viewOf(model.run)}`);
    model.shown();
    watch.cursor = 1;

    /** Buttons of earlier step visits: stale clicks. */
    const history: Array<{ actionId: string; value: string; visit: number; user: typeof STARTER | typeof APPROVER }> = [];
    /** Requests that took effect: late retries. */
    const applied: Array<() => Promise<unknown>> = [];
    const remember = (run: Run) => {
      for (const [actionId, value] of buttons(run)) {
        const stepAction = actionId === ActionId.Done || actionId.startsWith(`${ActionId.Outcome}:`) || actionId === ActionId.Skip || actionId === ActionId.Approve || actionId === ActionId.Reject;
        if (!stepAction) continue;
        const visit = decodeRunActionValue(value).v ?? 0;
        if (!history.some((h) => h.value === value && h.actionId === actionId)) history.push({ actionId, value, visit, user: actionId === ActionId.Approve || actionId === ActionId.Reject ? APPROVER : STARTER });
      }
    };
    remember(model.run);

    /** Waits until Slack shows a state the system reaches by itself (tool results, waits); false on divergence. */
    async function settle(stopAtWait: boolean): Promise<boolean> {
      for (;;) {
        const chain = systemChain(model.run);
        if (chain.length === 0) return true;
        if (stopAtWait && chain[0]!.command.type === 'wait_elapsed') return true;
        const targets = chain.map((c) => viewOf(c.result.run));
        const waitMs = model.run.wait ? Math.max(0, model.run.wait.due_at - Date.now()) : 0;
        const found = await until(
          watch,
          () => {
            for (let i = watch.cursor; i < watch.seen.length; i += 1) {
              const k = targets.lastIndexOf(watch.seen[i]!.fp);
              if (k >= 0) return { i, k };
            }
            return undefined;
          },
          opts.observeTimeoutMs + waitMs,
        );
        if (!found) {
          await diverge(`Slack never showed the system's next step (${chain.map((c) => c.command.type).join(' → ')}); last shown:\n${watch.seen.at(-1)?.fp ?? '(nothing)'}\n--- expected one of\n${targets.join('\n---\n')}`);
          return false;
        }
        for (const c of chain.slice(0, found.k + 1)) {
          const r = model.apply(c.command);
          if (!r.ok) throw new Error(`model refused the system's ${c.command.type}: ${r.error.message}`);
        }
        trail(`system: ${chain.slice(0, found.k + 1).map((c) => c.command.type).join(', ')} → ${model.run.status} at ${model.run.current_step_id ?? '-'}`);
        watch.cursor = found.i + 1;
        model.shown();
        remember(model.run);
        if (!stopAtWait && chain.slice(0, found.k + 1).some((c) => c.command.type === 'wait_elapsed')) return true;
      }
    }

    /** A stale click or a late retry now and then: they must change nothing. */
    function noiseNow(): void {
      if (rng() < 0.12) {
        const old = history.filter((h) => h.visit > 0 && h.visit < model.run.visit_count);
        if (old.length > 0) {
          const h = pick(rng, old);
          clickSeq += 1;
          const id = `stale-${rec.index}-${clickSeq}`;
          const actionTs = `${Math.floor(Date.now() / 1000)}.${String(clickSeq).padStart(6, '0')}`;
          rec.noiseKeys.push(`slack:${actionTs}`);
          const payload = blockActionPayload({ user: h.user.id, userName: h.user.name, channel: rec.channel, messageTs: rec.ts!, actionId: h.actionId, value: h.value, actionTs, responseUrl: fake.responseUrl(id) });
          const instance = instanceOf(rng);
          trail(`stale ${h.actionId} ${h.value} by ${h.user.name} → instance ${instance + 1}`);
          noise.push(click(instance, payload));
        }
      }
      if (rng() < 0.1 && applied.length > 0) {
        const again = pick(rng, applied);
        trail('late retry of an earlier request');
        noise.push(sleep(rng() * 800).then(again));
      }
    }

    // ---- commands
    let sent = 0;
    for (;;) {
      if (isTerminal(model.run.status)) break;
      if (!(await settle(true))) return;
      if (isTerminal(model.run.status)) break;
      noiseNow();
      const intent = choose(model.run, rng, plan.startVia === 'api', sent);
      if (intent.kind === 'let-wait') {
        if (!(await settle(false))) return;
        continue;
      }
      if (model.run.status === 'paused' && model.run.wait && (intent.kind === 'click' ? intent.actionId === ActionId.Resume : intent.kind === 'api-status' && intent.status === 'running')) {
        // Resume only once the wait is due for the bot too: the model's due time is later than the bot's.
        await sleep(model.run.wait.due_at + 300 - Date.now());
      }
      sent += 1;
      commands += 1;
      const apiAnswers: Array<{ status: number; json: unknown }> = [];
      let twice = rng() < 0.15;
      const gapMs = rng() < 0.5 ? 0 : Math.floor(rng() * 150);
      const first = instanceOf(rng);
      const second = otherInstance(rng, first);
      let command: Command;
      let send: (instance: number) => Promise<number>;
      let clickId: string | null = null;
      let what: string;
      let retriable = true;
      if (intent.kind === 'click') {
        const value = buttons(model.run).get(intent.actionId);
        if (!value) throw new Error(`scale driver: no ${intent.actionId} button in state ${model.run.status}`);
        clickSeq += 1;
        clickId = `click-${rec.index}-${clickSeq}`;
        responseOwner.set(clickId, watch);
        const actionTs = `${Math.floor(Date.now() / 1000)}.${String(clickSeq).padStart(6, '0')}`;
        command = clickCommand(intent.actionId, decodeRunActionValue(value), intent.user, actionTs, rec.channel);
        const payload = blockActionPayload({ user: intent.user.id, userName: intent.user.name, channel: rec.channel, messageTs: rec.ts!, actionId: intent.actionId, value, actionTs, responseUrl: fake.responseUrl(clickId) });
        send = (i) => click(i, payload);
        what = `click ${intent.actionId} by ${intent.user.name}`;
      } else {
        // An agent sends an Idempotency-Key most of the time; only then may it send twice.
        const idem = twice || rng() < 0.7 ? `cmd-${rec.tag}-${sent}` : undefined;
        if (!idem) {
          twice = false;
          retriable = false;
        }
        const base = { actor: apiKeyActor(API_KEY_NAME), source: 'api', ...(idem ? { key: `api:${apiKeyActor(API_KEY_NAME).id}:${idem}` } : {}) };
        let method = 'POST';
        let path: string;
        let body: Record<string, unknown>;
        if (intent.kind === 'api') {
          path = `/v1/runbooks/runs/${runId}/${intent.call}`;
          if (intent.call === 'advance') {
            body = intent.outcome ? { outcome: intent.outcome } : {};
            command = { type: 'advance', ...base, ...(intent.outcome ? { outcome: intent.outcome } : {}) };
          } else if (intent.call === 'fail') {
            body = { notes: 'failed by the scale driver' };
            command = { type: 'fail', ...base, notes: 'failed by the scale driver' };
          } else {
            body = {};
            command = { type: 'skip', ...base };
          }
        } else {
          method = 'PUT';
          path = `/v1/runbooks/runs/${runId}`;
          body = { status: intent.status };
          const type = intent.status === 'paused' ? 'pause' : intent.status === 'cancelled' ? 'cancel' : model.run.status === 'paused' ? 'resume' : 'retry';
          command = { type, ...base } as Command;
        }
        send = async (i) => {
          const answer = await api(i, method, path, body, idem);
          apiAnswers.push(answer);
          return answer.status;
        };
        what = `${method} ${path.replace(`/v1/runbooks/runs/${runId}`, '…')} ${JSON.stringify(body)}${idem ? ` key ${idem}` : ''}`;
      }
      const targets = twice ? [first, second] : [first];
      const ps = paths(model.run, command);
      const from = watch.seen.length;
      const sentAt = Date.now();
      const deliveries = targets.map((instance, n) => (n === 0 || gapMs === 0 ? send(instance) : sleep(gapMs).then(() => send(instance))));
      let delivered = false;
      const allDelivered = Promise.all(deliveries).then((statuses) => {
        delivered = true;
        notify(watch);
        return statuses;
      });
      const decision = await observe(watch, model.run, ps, from, intent.kind === 'click' ? clickId : null, () => (delivered ? apiAnswers : null));
      const statuses = await allDelivered;
      const label = `${what} → instance${targets.length > 1 ? `s ${targets.map((i) => i + 1).join(' + ')}${gapMs ? ` (${gapMs} ms apart)` : ''}` : ` ${first + 1}`}: HTTP ${statuses.join(', ')}`;
      if ('diverged' in decision) {
        trail(label);
        return diverge(decision.diverged);
      }
      for (const c of decision.path.before) model.apply(c);
      if (decision.accepted) {
        const r = model.apply(command);
        if (!r.ok || r.duplicate) throw new Error(`model: ${command.type} no longer applies`);
        for (const c of decision.chain) model.apply(c);
        watch.cursor = decision.seenIndex + 1;
        latencies.push(decision.at - sentAt);
        model.shown();
        remember(model.run);
        if (retriable) applied.push(() => send(instanceOf(rng)));
      }
      if (decision.note) {
        anomalies.push(`${runId}: ${decision.note} (${label})`);
        rec.problems.push(`${decision.note}\n  command: ${label}\n  trail so far:\n    ${rec.trail.join('\n    ')}`);
      }
      if (!decision.accepted && decision.unexpected) rec.problems.push(`${decision.unexpected}\n  ${await storedTail(runId)}\n  command: ${label}\n  model state: ${model.run.status} at ${model.run.current_step_id ?? '-'}, visit ${model.run.visit_count}\n  trail so far:\n    ${rec.trail.join('\n    ')}`);
      const told = clickId !== null ? watch.refusals.get(clickId) : undefined;
      trail(`${label} → ${decision.accepted ? 'took effect' : `refused${decision.why ? `: ${decision.why}` : ''}${told ? ` (told: ${told.slice(0, 200)})` : ''}`}${decision.path.before.length ? ' after the wait elapsed' : ''}; now ${model.run.status} at ${model.run.current_step_id ?? '-'}`);
    }
  }

  type Decision =
    | { diverged: string }
    | { path: Path; accepted: true; chain: Command[]; seenIndex: number; at: number; note?: string; why?: undefined }
    | { path: Path; accepted: false; why: string; note?: string; unexpected?: string };

  /**
   * Which of the orders the command could meet (paths) it met, from what Slack shows and the
   * answers: a state only an accepted path leads to, a refusal told to the clicker, or the
   * API's status. A refusal told while some order would have accepted the command is
   * believed after 1.5 s without that order's state showing.
   */
  async function observe(
    watch: Watch,
    before: Run,
    ps: Path[],
    from: number,
    clickId: string | null,
    apiAnswers: () => Array<{ status: number; json: unknown }> | null,
  ): Promise<Decision> {
    const beforeView = viewOf(before);
    const accepted = ps.filter((p) => p.result.ok && !p.result.duplicate);
    const refused = ps.filter((p) => !p.result.ok);
    const targets = accepted.flatMap((p) => {
      const run = (p.result as { run: Run }).run;
      const chain = systemChain(run);
      const states = [run, ...chain.map((c) => c.result.run)];
      return states.map((state, k) => ({ path: p, chain: chain.slice(0, k).map((c) => c.command), fp: viewOf(state) })).filter((t) => t.fp !== beforeView);
    });
    if (accepted.length > 0 && targets.length === 0) return { diverged: 'harness: a command the model accepts would not change the message' };
    let scanned = from;
    let graceUntil: number | null = null;
    let note: string | undefined;
    const refusedPath = refused.find((p) => p.before.length === 0) ?? refused[0];
    const why = refusedPath && !refusedPath.result.ok ? refusedPath.result.error.message : '';
    const decision = await until<Decision>(
      watch,
      () => {
        for (; scanned < watch.seen.length; scanned += 1) {
          const seen = watch.seen[scanned]!;
          const hit = targets.filter((t) => t.fp === seen.fp).at(-1);
          if (hit) return { path: hit.path, accepted: true, chain: hit.chain, seenIndex: scanned, at: seen.at, ...(note ? { note } : {}) };
        }
        const answers = apiAnswers();
        if (clickId === null && answers !== null) {
          const ok = answers.filter((a) => a.status < 300);
          if (answers.some((a) => a.status >= 500)) return { diverged: `the API answered ${answers.map((a) => `${a.status} ${JSON.stringify(a.json).slice(0, 300)}`).join('; ')}` };
          if (ok.length > 0 && ok.length < answers.length) note = `the same API request (one key) was answered ${answers.map((a) => a.status).join(' and ')}`;
          if (ok.length === 0) {
            if (!refusedPath) {
              // The run stays as it was (the refusal changed nothing): noted, and the run is driven on from there.
              const told = answers.map((a) => `${a.status} ${JSON.stringify(a.json).slice(0, 300)}`).join('; ');
              return { path: ps[0]!, accepted: false, why: `API ${told}`, unexpected: `the API refused a command the model accepts in every order: ${told}` };
            }
            return { path: refusedPath, accepted: false, why, ...(note ? { note } : {}) };
          }
          if (accepted.length === 0) return { diverged: `the API accepted a command the model refuses (${why}): ${answers.map((a) => `${a.status} ${JSON.stringify(a.json).slice(0, 300)}`).join('; ')}` };
        }
        if (clickId !== null && watch.refusals.has(clickId)) {
          if (accepted.length === 0) return { path: refusedPath!, accepted: false, why };
          if (refused.length > 0) {
            graceUntil ??= Date.now() + 1500;
            if (Date.now() >= graceUntil) return { path: refusedPath!, accepted: false, why };
          } else {
            // Refused though every order accepts it: believed once its effect has not shown for 3 s.
            note = `a click the model accepts in every order got a refusal message: ${watch.refusals.get(clickId)}`;
            graceUntil ??= Date.now() + 3000;
            if (Date.now() >= graceUntil) return { path: ps[0]!, accepted: false, why: watch.refusals.get(clickId) ?? '', unexpected: note };
          }
        }
        return undefined;
      },
      opts.observeTimeoutMs,
    );
    if (decision) return decision;
    const answers = apiAnswers();
    return {
      diverged: `no sign of the command's effect within ${opts.observeTimeoutMs} ms${answers ? ` (API answered ${answers.map((a) => a.status).join(', ')})` : ''}${clickId && watch.refusals.has(clickId) ? ` (the clicker was told: ${watch.refusals.get(clickId)})` : ''}; last shown:\n${watch.seen.at(-1)?.fp ?? '(nothing)'}\n--- expected one of\n${targets.map((t) => t.fp).join('\n---\n') || '(a refusal)'}`,
    };
  }

  // ---- lanes
  const all = plans(opts.runs, opts.seed, cluster.devices.length, mix);
  const startedAt = Date.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= all.length) return;
      const plan = all[index]!;
      const rec: RunRecord = {
        index,
        kind: plan.kind,
        channel: `CSCALE${index.toString(36).toUpperCase().padStart(4, '0')}`,
        tag: `t${opts.seed.toString(36).replace('-', 'm')}x${index.toString(36)}`,
        device: plan.kind === 'tools' ? cluster.devices[plan.device]!.id : null,
        startedVia: plan.startVia,
        runId: null,
        ts: null,
        model: null,
        trail: [],
        diverged: null,
        startIds: [],
        noiseKeys: [],
        problems: [],
      };
      records.push(rec);
      try {
        await driveRun(rec, plan);
      } catch (error) {
        rec.diverged = `harness error: ${(error as Error).stack ?? String(error)}`;
      }
      done += 1;
      if (done % 50 === 0) log(`${done}/${all.length} runs driven (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.lanes, all.length) }, lane));
  const endedAt = Date.now();
  await Promise.allSettled(noise);
  unsubscribe();
  records.sort((a, b) => a.index - b.index);
  return { records, startedAt, endedAt, requests, commands, latencies, anomalies };
}

/** The run action values on a shown message (by its fingerprint's button lines). */
function buttonsOfFingerprint(fp: string): RunActionValue[] {
  return fp
    .split('\n')
    .filter((l) => l.startsWith('B '))
    .flatMap((l) => {
      try {
        return [decodeRunActionValue(l.slice(l.indexOf('=') + 1))];
      } catch {
        return [];
      }
    });
}
