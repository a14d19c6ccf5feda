// Alerts as the application layer handles them, whichever surface shows them: find the
// playbooks whose trigger matches, and either start the first one that says auto_execute or
// show a card suggesting them, in the alert's thread. Run and Dismiss on the card come back
// here. Notifications of an alert already handled (repeats, redeliveries, Slack retrying an
// event) change nothing visible, and a resolved alert marks its card resolved. How a card
// looks and where it is posted is the surface's (AlertCards; Slack's is bot/alert-cards.ts).
import { isTerminal, type JsonObject, type Run, type RunbookSnapshot, type TriggerSource } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AlertStore, ReceiveOutcome, StoredAlert } from '../models/alert-store.js';
import type { DeviceStore } from '../models/device-store.js';
import type { RunbookStore } from '../models/runbook-store.js';
import { createKeyedMutex } from '../keyed-mutex.js';
import type { Alert } from '../alerts/alert.js';
import { matchPlaybooks, variablesFromAlert, type MatchCandidate, type PlaybookMatch } from '../alerts/match/index.js';
import { recognizeSlackMessage, type AlertRule, type SelfIdentity } from '../alerts/parse/index.js';
import { personPrincipal, type Principal } from './principal.js';
import type { Runs } from './runs.js';

/** A matching playbook as a card lists it, in the order matching ranked it. */
export interface AlertCardMatch {
  runbook_id: string;
  name: string;
  version: number;
  /** One line, e.g. `type service_down · tags web · severity ≥ high`. */
  reason: string;
  auto_execute: boolean;
  /** Required variables the alert does not fill: Run asks for them. */
  missing: string[];
}

/** The run this alert started. */
export interface AlertCardStart {
  runbook_name: string;
  run_id: string;
  /** A Slack user id (shown as a mention) or a name (shown as text). */
  by: string;
  /** Started by the playbook's auto_execute rather than a Run click. */
  auto: boolean;
}

/** What a card shows: this episode of the alert (its decisions only), the matches, the run started. */
export interface AlertCardState {
  alert: StoredAlert;
  matches: AlertCardMatch[];
  started: AlertCardStart | null;
}

/** How a surface shows alerts: Slack posts a card message and edits it. */
export interface AlertCards {
  /** Posts a card; returns its message ts. */
  post(where: AlertWhere, card: AlertCardState): Promise<string>;
  update(at: { channel: string; ts: string }, card: AlertCardState): Promise<void>;
  /** Posts the live message of a run nobody clicked for (auto_execute). */
  postRun(run: Run, where: { channel: string; thread_ts: string }): Promise<void>;
}

/** Who clicked Run, as the surface knows them. */
export interface AlertUser {
  id: string;
  name?: string | undefined;
}

/** A person's start of a playbook in the alert's thread; the surface asks for missing inputs. */
export interface AlertRunStart {
  runbook: RunbookSnapshot;
  variables: Record<string, string>;
  where: { channel: string; thread_ts?: string };
  askForMissing: boolean;
  trigger: { source: TriggerSource; context: JsonObject };
}

export interface AlertServiceDeps {
  store: AlertStore;
  runbooks: Pick<RunbookStore, 'publishedSnapshots' | 'snapshotForRun'>;
  devices: Pick<DeviceStore, 'get'>;
  runs: Pick<Runs, 'start' | 'get'>;
  cards: AlertCards;
  /** Rules for alerts no built-in recogniser reads (ALERT_RULES_FILE). */
  rules?: readonly AlertRule[];
  clock: () => number;
  logger: Logger;
}

/** Where an alert was seen: the channel, and the message to thread under (none for a webhook). */
export interface AlertWhere {
  channel: string;
  thread_ts: string | null;
}

const SYSTEM = { kind: 'system' as const, id: 'alerts' };
/** Who ran or dismissed an alert, as its decisions record them. */
const decider = (user: AlertUser) => ({ kind: 'slack' as const, id: user.id, ...(user.name ? { name: user.name } : {}) });
const SYSTEM_PRINCIPAL: Principal = personPrincipal(SYSTEM);

export type AlertService = ReturnType<typeof createAlertService>;

export function createAlertService(deps: AlertServiceDeps) {
  const { store, cards, logger } = deps;
  const perAlert = createKeyedMutex();

  // Read for every alert, so a playbook published a moment ago (by any process) is offered;
  // the compiled versions behind the snapshots are cached by the runbook store.
  async function candidates(): Promise<Array<MatchCandidate & { snapshot: RunbookSnapshot }>> {
    const published = await deps.runbooks.publishedSnapshots();
    return published.filter((s) => s.trigger !== null).map((snapshot) => ({ ...snapshot, status: 'published' as const, snapshot }));
  }

  async function matchesFor(alert: Alert, channel: string | null): Promise<PlaybookMatch[]> {
    const device = alert.host ? await deps.devices.get(alert.host) : null;
    return matchPlaybooks(alert, await candidates(), { channel, deviceTags: device?.tags ?? null, company: null });
  }

  const snapshotOf = (match: PlaybookMatch) => (match.candidate as MatchCandidate & { snapshot: RunbookSnapshot }).snapshot;

  /** The card shows this episode only: a dismiss or a run from an earlier one is history. */
  function cardFor(alert: StoredAlert, matches: PlaybookMatch[], started: AlertCardStart | null): AlertCardState {
    const decisions = alert.decisions.filter((d) => new Date(d.at).getTime() >= alert.episode_started);
    return {
      alert: { ...alert, decisions },
      matches: matches.map((m) => ({
        runbook_id: m.candidate.runbook_id,
        name: m.candidate.name,
        version: m.candidate.version,
        reason: m.reason,
        auto_execute: m.auto_execute,
        missing: variablesFromAlert(alert, m.candidate.variables).missing.map((v) => v.name),
      })),
      started,
    };
  }

  async function runIsActive(runId: string | null): Promise<boolean> {
    if (!runId) return false;
    const run = await deps.runs.get(SYSTEM_PRINCIPAL, runId).catch(() => null);
    return run !== null && !isTerminal(run.status) && run.status !== 'failed';
  }

  /** Starts a playbook for an alert without asking anyone (its trigger says auto_execute). */
  async function autoStart(alert: StoredAlert, match: PlaybookMatch, where: { channel: string; thread_ts: string }) {
    const snapshot = snapshotOf(match);
    const { values } = variablesFromAlert(alert, snapshot.variables);
    const { run } = await deps.runs.start(SYSTEM_PRINCIPAL, {
      runbook: snapshot,
      variables: values,
      trigger: { source: 'alert', context: { alert_id: alert.fingerprint, slack_channel: where.channel } },
      key: `alert:${alert.fingerprint}:${alert.notifications}`,
    });
    await store.decide(alert.fingerprint, { action: 'auto_run', runbook_id: snapshot.runbook_id, run_id: run.id, by: SYSTEM });
    await cards.postRun(run, where).catch((error: unknown) => logger.warn('could not post the run message of an auto-started run', { run_id: run.id, error }));
    return run;
  }

  async function handleFiring(alert: StoredAlert, where: AlertWhere): Promise<void> {
    if (await runIsActive(alert.run_id)) return; // its run is still going: nothing new to offer
    const matches = await matchesFor(alert, where.channel);
    const cardTs = await cards.post(where, cardFor(alert, matches, null));
    const thread = where.thread_ts ?? cardTs;
    await store.attachCard(alert.fingerprint, { channel: where.channel, card_ts: cardTs, thread_ts: thread });
    const auto = matches.find((m) => m.auto_execute && variablesFromAlert(alert, m.candidate.variables).missing.length === 0);
    if (!auto) return;
    try {
      const run = await autoStart(alert, auto, { channel: where.channel, thread_ts: thread });
      await cards.update({ channel: where.channel, ts: cardTs }, cardFor(alert, matches, { runbook_name: auto.candidate.name, run_id: run.id, by: SYSTEM.id, auto: true }));
    } catch (error) {
      // The card stays up with its Run buttons: a person can still start it and see why not.
      logger.warn('could not start an auto-execute playbook', { fingerprint: alert.fingerprint, runbook_id: auto.candidate.runbook_id, error });
    }
  }

  async function handleResolved(alert: StoredAlert): Promise<void> {
    if (!alert.card_ts || !alert.channel) return;
    const matches = await matchesFor({ ...alert, status: 'firing' }, alert.channel);
    await cards.update({ channel: alert.channel, ts: alert.card_ts }, cardFor(alert, matches, startedOf(alert, matches)));
  }

  /** The run this episode started, as the card shows it, from the latest run decision. */
  function startedOf(alert: StoredAlert, matches: PlaybookMatch[]) {
    const ran = [...alert.decisions]
      .reverse()
      .find((d) => (d.action === 'run' || d.action === 'auto_run') && d.run_id && new Date(d.at).getTime() >= alert.episode_started);
    if (!ran?.run_id) return null;
    const name = matches.find((m) => m.candidate.runbook_id === ran.runbook_id)?.candidate.name ?? ran.runbook_id ?? 'a playbook';
    return { runbook_name: name, run_id: ran.run_id, by: ran.by.id, auto: ran.action === 'auto_run' };
  }

  async function requireAlert(fingerprint: string): Promise<StoredAlert> {
    const alert = await store.get(fingerprint);
    if (!alert) throw new AppError(ErrorCode.NotFound, `alert ${fingerprint} is not known`);
    return alert;
  }

  return {
    /**
     * A stored notification: suggest or start playbooks for a new episode, close the card of a
     * resolved one. A repeat of a firing alert whose card never made it to Slack (Slack was
     * down) posts it now, so a redelivery repairs what the first delivery could not finish.
     */
    received(received: { outcome: ReceiveOutcome; alert: StoredAlert }, where: AlertWhere): Promise<void> {
      return perAlert.run(received.alert.fingerprint, async () => {
        // Read again inside the lock: a delivery just before this one may have posted the card.
        const alert = (await store.get(received.alert.fingerprint)) ?? received.alert;
        if (received.outcome === 'resolved') return handleResolved(alert);
        const newEpisode = received.outcome === 'new' || received.outcome === 'refired';
        const neverPosted = alert.status === 'firing' && alert.decisions.length === 0;
        if (alert.card_ts === null && (newEpisode || neverPosted)) await handleFiring(alert, where);
      });
    },

    /**
     * Run on a card: starts the playbook in the alert's thread through `start` (the surface's
     * own start, which may ask for the inputs the alert does not fill).
     */
    run<O extends { kind: string; run?: Run }>(
      fingerprint: string,
      runbookId: string,
      user: AlertUser,
      start: (input: AlertRunStart) => Promise<O>,
      given: { values?: Record<string, string>; askForMissing?: boolean } = {},
    ): Promise<O> {
      return perAlert.run(fingerprint, async () => {
        const alert = await requireAlert(fingerprint);
        if (alert.status === 'resolved') throw new AppError(ErrorCode.Conflict, 'this alert has resolved; nothing to run');
        if (await runIsActive(alert.run_id)) throw new AppError(ErrorCode.Conflict, `a run for this alert is already going: ${alert.run_id}`);
        const snapshot = await deps.runbooks.snapshotForRun(runbookId, {});
        const { values } = variablesFromAlert(alert, snapshot.variables);
        const where = { channel: alert.channel ?? user.id, ...(alert.thread_ts ? { thread_ts: alert.thread_ts } : {}) };
        const outcome = await start({
          runbook: snapshot,
          variables: { ...values, ...given.values },
          where,
          askForMissing: given.askForMissing ?? true,
          trigger: { source: 'alert', context: { alert_id: fingerprint, slack_channel: where.channel } },
        });
        if (outcome.kind === 'started' && outcome.run) {
          const decided = await store.decide(fingerprint, { action: 'run', runbook_id: runbookId, run_id: outcome.run.id, by: decider(user) });
          if (decided?.card_ts && decided.channel) {
            const matches = await matchesFor({ ...decided, status: 'firing' }, decided.channel);
            const started = { runbook_name: snapshot.name, run_id: outcome.run.id, by: user.id, auto: false };
            await cards.update({ channel: decided.channel, ts: decided.card_ts }, cardFor(decided, matches, started));
          }
        }
        return outcome;
      });
    },

    /**
     * A message in a channel the bot is in: when it is an alert (from another app or a
     * webhook, never the bot itself), stored and acted on in the message's thread. Slack
     * retrying the event finds the fingerprint stored and adds nothing.
     */
    async fromSlackMessage(message: unknown, self: SelfIdentity): Promise<number> {
      const channel = (message as { channel?: unknown }).channel;
      const ts = (message as { ts?: unknown }).ts;
      if (typeof channel !== 'string' || typeof ts !== 'string') return 0;
      const alerts = recognizeSlackMessage(message, deps.rules ?? [], { self });
      for (const alert of alerts) {
        const received = await store.receive(alert, { channel });
        await this.received(received, { channel, thread_ts: ts });
      }
      return alerts.length;
    },

    /** Dismiss on a card: recorded, and the card says who. */
    dismiss(fingerprint: string, user: AlertUser): Promise<void> {
      return perAlert.run(fingerprint, async () => {
        await requireAlert(fingerprint);
        const decided = await store.decide(fingerprint, { action: 'dismiss', runbook_id: null, run_id: null, by: decider(user) });
        if (decided?.card_ts && decided.channel) await cards.update({ channel: decided.channel, ts: decided.card_ts }, cardFor(decided, [], null));
      });
    },

    recent(limit = 20): Promise<StoredAlert[]> {
      return store.recent(limit);
    },
  };
}
