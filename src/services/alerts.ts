// Alerts as the application layer handles them, whichever surface shows them: find the
// playbooks whose trigger matches, and either start the first one that says auto_execute or
// show a card suggesting them, in the alert's thread. Run and Dismiss on the card come back
// here. Notifications of an alert already handled (repeats, redeliveries, Slack retrying an
// event) change nothing visible, and a resolved alert marks its card resolved. How a card
// looks and where it is posted is the surface's (AlertCards; Slack's is bot/alert-cards.ts).
//
// Several bot processes share one database, so nothing here holds a lock: what must happen
// once (post an episode's card, start a run for it) is claimed in the store by an insert only
// one process can make (models/alert-store.ts), and cards are re-rendered from the stored
// state until what was shown is what is stored.
import { isTerminal, startInputs, type JsonObject, type Run, type RunbookSnapshot, type TriggerSource } from '../engine/index.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AlertEpisode, AlertStore, ReceiveOutcome, RunDecision, StoredAlert } from '../models/alert-store.js';
import type { AlertDecisionRecord } from '../models/alert-decision-model.js';
import type { DeviceStore } from '../models/device-store.js';
import type { RunbookStore } from '../models/runbook-store.js';
import type { Alert } from '../alerts/alert.js';
import { readAlert, resolveTarget, type AlertKnowledge, type AlertTarget, type TargetMapping } from '../alerts/infer/index.js';
import { matchPlaybooks, variablesFromAlert, type MatchCandidate, type PlaybookMatch } from '../alerts/match/index.js';
import { senderOf, sourceTrust, type AlertSource } from '../alerts/alert-sources.js';
import { readSlackMessage } from '../alerts/parse/slack-message.js';
import { recognizeSlackMessage, type AlertRule, type SelfIdentity } from '../alerts/parse/index.js';
import type { Access } from './access.js';
import { internalPrincipal, personPrincipal, type Principal } from './principal.js';
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

/** What a card shows: this episode of the alert (its decisions only), its target, the matches, the run started. */
export interface AlertCardState {
  alert: AlertEpisode;
  /** The device a playbook would act on, or why none is certain (Run then asks). */
  target: AlertTarget;
  matches: AlertCardMatch[];
  started: AlertCardStart | null;
}

/** How a surface shows alerts: Slack posts a card message and edits it. */
export interface AlertCards {
  /**
   * Posts a card; returns its message ts. It must settle (posted, or thrown) well within the
   * alert store's lease: after that another process may take the card to be lost and post it.
   */
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
  /** Inputs a person must give even when they have a default: the device, when the alert names none for sure. */
  ask: string[];
  trigger: { source: TriggerSource; context: JsonObject };
}

export interface AlertServiceDeps {
  store: AlertStore;
  runbooks: Pick<RunbookStore, 'publishedSnapshots' | 'snapshotForRun'>;
  devices: Pick<DeviceStore, 'get' | 'ids'>;
  runs: Pick<Runs, 'start' | 'get'>;
  cards: AlertCards;
  /** Rules for alerts no built-in recogniser reads (ALERT_RULES_FILE). */
  rules?: readonly AlertRule[];
  /** Who may raise alerts in which channel; null or absent: anyone, suggested only. */
  sources?: readonly AlertSource[] | null;
  /** The permission subject auto_execute runs act as; null or absent: nothing runs by itself. */
  autoExecuteAs?: string | null;
  /** Labels and values naming machines per sender (ALERT_RULES_FILE `targets`). */
  targets?: readonly TargetMapping[];
  access: Pick<Access, 'require'>;
  clock: () => number;
  logger: Logger;
}

/** Where an alert was seen: the channel, and the message to thread under (none for a webhook). */
export interface AlertWhere {
  channel: string;
  thread_ts: string | null;
}

const SYSTEM = { kind: 'system' as const, id: 'alerts' };
/** How a delivery arrived: an authenticated webhook or a listed source may auto-run; others only suggest. */
export interface AlertTrust {
  mayAutoRun: boolean;
}
/** Who ran or dismissed an alert, as its decisions record them. */
const decider = (user: AlertUser) => ({ kind: 'slack' as const, id: user.id, ...(user.name ? { name: user.name } : {}) });
const SYSTEM_PRINCIPAL: Principal = internalPrincipal(SYSTEM);
/** Times a card is re-rendered in one go while decisions keep landing on it. */
const CARD_ROUNDS = 3;
/** Looks at the episode's run claims again after losing one to another click, this many times. */
const RUN_CLAIM_TRIES = 3;

export type AlertService = ReturnType<typeof createAlertService>;

/** A published playbook with a trigger, as matching sees it, and the snapshot a start runs. */
type PublishedCandidate = MatchCandidate & { snapshot: RunbookSnapshot };

/** The decisions of the episode shown: a dismiss or a run from an earlier one is history. */
const episodeDecisions = (alert: AlertEpisode) => alert.decisions.filter((d) => (d.episode ?? 1) === alert.episode);

/** What others change on a card of the episode once it is up, to tell whether a render is still current. */
const shownState = (alert: AlertEpisode) => JSON.stringify([alert.status, episodeDecisions(alert).map((d) => [d.action, d.run_id, d.by.id, new Date(d.at).getTime()])]);

export function createAlertService(deps: AlertServiceDeps) {
  const { store, cards, logger } = deps;

  // Read for every alert, so a playbook published a moment ago (by any process) is offered;
  // the compiled versions behind the snapshots are cached by the runbook store.
  async function candidates(): Promise<PublishedCandidate[]> {
    const published = await deps.runbooks.publishedSnapshots();
    // A candidate's variables are what a start asks for: the alert's host fills the device of a
    // playbook that does not declare deviceId too.
    return published.filter((s) => s.trigger !== null).map((snapshot) => ({ ...snapshot, variables: startInputs(snapshot), status: 'published' as const, snapshot }));
  }

  /**
   * The published candidates and what an alert is read against: the types they trigger on and
   * the registered devices, read together per alert like the candidates always were.
   */
  async function knowledge(): Promise<{ published: PublishedCandidate[]; known: AlertKnowledge }> {
    const [published, devices] = await Promise.all([candidates(), deps.devices.ids()]);
    return { published, known: { alertTypes: published.flatMap((c) => c.trigger?.alert_types ?? []), devices: new Set(devices) } };
  }

  const targetIn = (alert: Alert, known: Pick<AlertKnowledge, 'devices'>): AlertTarget => resolveTarget(alert, known, deps.targets ?? []);

  /** The matches, and the device they would act on: only a certain target's tags count. */
  async function matchesFor(alert: Alert, channel: string | null): Promise<{ matches: PlaybookMatch[]; target: AlertTarget }> {
    const { published, known } = await knowledge();
    const target = targetIn(alert, known);
    const device = target.device === null ? null : await deps.devices.get(target.device);
    return { matches: matchPlaybooks(alert, published, { channel, deviceTags: device?.tags ?? null, company: null }), target };
  }

  const snapshotOf = (match: PlaybookMatch) => (match.candidate as PublishedCandidate).snapshot;

  function cardFor(alert: AlertEpisode, { matches, target }: { matches: PlaybookMatch[]; target: AlertTarget }, started: AlertCardStart | null): AlertCardState {
    return {
      alert: { ...alert, decisions: episodeDecisions(alert) },
      target,
      matches: matches.map((m) => ({
        runbook_id: m.candidate.runbook_id,
        name: m.candidate.name,
        version: m.candidate.version,
        reason: m.reason,
        auto_execute: m.auto_execute,
        missing: variablesFromAlert(alert, m.candidate.variables, target.device).missing.map((v) => v.name),
      })),
      started,
    };
  }

  /** The run this episode started, as the card shows it, from the latest run decision. */
  function startedOf(alert: AlertEpisode, matches: PlaybookMatch[]): AlertCardStart | null {
    const ran = [...episodeDecisions(alert)].reverse().find((d) => (d.action === 'run' || d.action === 'auto_run') && d.run_id);
    if (!ran?.run_id) return null;
    const name = matches.find((m) => m.candidate.runbook_id === ran.runbook_id)?.candidate.name ?? ran.runbook_id ?? 'a playbook';
    return { runbook_name: name, run_id: ran.run_id, by: ran.by.id, auto: ran.action === 'auto_run' };
  }

  async function runIsActive(runId: string | null): Promise<boolean> {
    if (!runId) return false;
    const run = await deps.runs.get(SYSTEM_PRINCIPAL, runId).catch(() => null);
    return run !== null && !isTerminal(run.status) && run.status !== 'failed';
  }

  /**
   * Renders the episode's cards from `alert` (as just read) and reads again until nothing new
   * turns up: a dismiss, a run and a resolve landing at once each update the card from their
   * own read, and whichever update Slack applies last would otherwise win. `shown`: the state
   * the card already shows (its poster's), so an unchanged card is left alone. Returns the
   * episode as last read.
   */
  async function refreshCards(alert: AlertEpisode | null, shown: string | null = null): Promise<AlertEpisode | null> {
    for (let round = 0; round < CARD_ROUNDS; round += 1) {
      // Not posted yet: its poster renders what is stored once it has posted.
      if (alert === null || alert.cards.length === 0) return alert;
      const state = shownState(alert);
      if (state === shown) return alert;
      const found = await matchesFor({ ...alert, status: 'firing' }, alert.channel);
      const card = cardFor(alert, found, startedOf(alert, found.matches));
      await Promise.all(alert.cards.map((c) => cards.update({ channel: c.channel, ts: c.card_ts }, card)));
      shown = state;
      alert = await store.recheck(alert);
    }
    return alert;
  }

  async function release(claim: AlertDecisionRecord): Promise<void> {
    // Left claimed, the claim stops counting once its lease is over.
    await store.decisions.runReleased(claim).catch((error: unknown) => logger.warn('could not release a run claim of an alert', { claim: claim._id, error }));
  }

  /** Refuses while the latest run of the alert is being started or still going. */
  async function refuseIfBusy(alert: AlertEpisode, last: AlertDecisionRecord | undefined): Promise<void> {
    if (last?.state === 'claimed' && !store.isStale(last.at)) {
      throw new AppError(ErrorCode.Conflict, `a run for this alert is already being started by ${last.by.name ?? last.by.id}`);
    }
    // With no run claimed in this episode, an earlier episode's run may still be going.
    const runId = last ? (last.state === 'started' ? last.run_id : null) : alert.run_id;
    if (await runIsActive(runId)) throw new AppError(ErrorCode.Conflict, `a run for this alert is already going: ${runId}`);
  }

  /** Claims the episode's next run: of two clicks at once, on any processes, one gets it. */
  async function claimRun(alert: AlertEpisode, decision: RunDecision): Promise<AlertDecisionRecord> {
    for (let tries = 0; tries < RUN_CLAIM_TRIES; tries += 1) {
      const claims = await store.decisions.runs(alert.fingerprint, alert.episode);
      await refuseIfBusy(alert, claims.at(-1));
      const claim = await store.decisions.claimRun(alert.fingerprint, alert.episode, claims.length + 1, decision);
      if (claim) return claim;
    }
    throw new AppError(ErrorCode.Conflict, `runs for alert ${alert.fingerprint} keep being claimed by others; try again`);
  }

  /**
   * Starts a playbook for an alert without asking anyone (its trigger says auto_execute),
   * once per episode: the episode's first run claim, and a run id derived from the episode.
   */
  async function autoStart(alert: AlertEpisode, match: PlaybookMatch, target: AlertTarget, where: { channel: string; thread_ts: string }, identity: string): Promise<void> {
    if ((await store.decisions.runs(alert.fingerprint, alert.episode)).length > 0) return; // a person's Run came first
    const snapshot = snapshotOf(match);
    // The run is recorded as started by the configured identity, which must hold the playbook's permissions.
    const actor = { kind: 'system' as const, id: identity, name: 'alerts' };
    const claim = await store.decisions.claimRun(alert.fingerprint, alert.episode, 1, { action: 'auto_run', runbook_id: snapshot.runbook_id, by: actor });
    if (!claim) return;
    const { values, missing } = variablesFromAlert(alert, startInputs(snapshot), target.device);
    // Checked again on the snapshot that would run: never start on a machine nobody vouched for.
    if (missing.length > 0) {
      await release(claim);
      return;
    }
    let run: Run;
    try {
      ({ run } = await deps.runs.start(personPrincipal(actor, { surface: 'alerts' }), {
        runbook: snapshot,
        variables: values,
        trigger: { source: 'alert', context: { alert_id: alert.fingerprint, slack_channel: where.channel } },
        key: `alert:${alert.fingerprint}:${alert.episode}`,
      }));
    } catch (error) {
      await release(claim);
      throw error;
    }
    await store.decisions.runStarted(claim, run.id);
    await cards.postRun(run, where).catch((error: unknown) => logger.warn('could not post the run message of an auto-started run', { run_id: run.id, error }));
    await refreshCards(await store.recheck(alert));
  }

  /**
   * Posts the episode's card if this delivery may: the episode's winner (`first`), or a
   * delivery finding the card lost (its attempt failed, or its poster went quiet for a lease).
   */
  async function postCard(alert: AlertEpisode, where: AlertWhere, first: boolean, trust: AlertTrust): Promise<void> {
    if (alert.status !== 'firing' || alert.card_ts !== null) return;
    if (await runIsActive(alert.run_id)) return; // its run is still going: nothing new to offer
    const attempt = await store.cards.claim(alert, where, { first });
    if (!attempt) return;
    const found = await matchesFor(alert, where.channel);
    let cardTs: string;
    try {
      cardTs = await cards.post(where, cardFor(alert, found, null));
    } catch (error) {
      await store.cards.failed(attempt, error).catch((failure: unknown) => logger.warn('could not record a failed alert card post', { card: attempt._id, error: failure }));
      throw error;
    }
    const location = { channel: where.channel, card_ts: cardTs, thread_ts: where.thread_ts ?? cardTs };
    await store.cards.posted(attempt, location);
    // A resolve, Run or Dismiss stored while the card was on its way found no card to update.
    const posted = { ...alert, ...location, cards: [location] };
    const now = await refreshCards(await store.recheck(posted), shownState(posted));
    if (now?.status !== 'firing') return;
    // A playbook that acts on a device runs by itself only on a device the alert names for sure.
    const auto = found.matches.find((m) => m.auto_execute && variablesFromAlert(alert, m.candidate.variables, found.target.device).missing.length === 0);
    if (!auto) {
      const unsure = found.matches.find((m) => m.auto_execute);
      if (unsure) logger.info('auto_execute playbook only suggested: it needs inputs the alert does not give for sure', { fingerprint: alert.fingerprint, runbook_id: unsure.candidate.runbook_id, target: found.target.reason });
      return;
    }
    const identity = deps.autoExecuteAs ?? null;
    if (!trust.mayAutoRun || identity === null) {
      const why = identity === null ? 'no auto_execute_as identity is configured in ALERT_RULES_FILE' : 'the alert did not come from a configured source';
      logger.info(`auto_execute playbook only suggested: ${why}`, { fingerprint: alert.fingerprint, runbook_id: auto.candidate.runbook_id });
      return;
    }
    try {
      await autoStart(now, auto, found.target, { channel: location.channel, thread_ts: location.thread_ts }, identity);
    } catch (error) {
      // The card stays up with its Run buttons: a person can still start it and see why not.
      logger.warn('could not start an auto-execute playbook', { fingerprint: alert.fingerprint, runbook_id: auto.candidate.runbook_id, error });
    }
  }

  async function requireEpisode(fingerprint: string): Promise<AlertEpisode> {
    const alert = await store.episode(fingerprint);
    if (!alert) throw new AppError(ErrorCode.NotFound, `alert ${fingerprint} is not known`);
    return alert;
  }

  return {
    /**
     * A stored notification: suggest or start playbooks for a new episode, close the card of a
     * resolved one. A repeat of a firing alert whose card never made it to Slack (Slack was
     * down) posts it now, so a redelivery repairs what the first delivery could not finish.
     */
    async received(received: { outcome: ReceiveOutcome; alert: StoredAlert }, where: AlertWhere, trust: AlertTrust): Promise<void> {
      const { outcome, alert } = received;
      if (outcome === 'resolved') {
        await refreshCards(alert);
        return;
      }
      await postCard(alert, where, outcome === 'new' || outcome === 'refired', trust);
    },

    /**
     * Run on a card: starts the playbook in the alert's thread through `start` (the surface's
     * own start, which may ask for the inputs the alert does not fill).
     */
    async run<O extends { kind: string; run?: Run }>(
      fingerprint: string,
      runbookId: string,
      user: AlertUser,
      start: (input: AlertRunStart) => Promise<O>,
      given: { values?: Record<string, string>; askForMissing?: boolean } = {},
    ): Promise<O> {
      const alert = await requireEpisode(fingerprint);
      if (alert.status === 'resolved') throw new AppError(ErrorCode.Conflict, 'this alert has resolved; nothing to run');
      const claim = await claimRun(alert, { action: 'run', runbook_id: runbookId, by: decider(user) });
      let outcome: O;
      try {
        const snapshot = await deps.runbooks.snapshotForRun(runbookId, {});
        const target = targetIn(alert, { devices: new Set(await deps.devices.ids()) });
        const { values, missing } = variablesFromAlert(alert, startInputs(snapshot), target.device);
        const where = { channel: alert.channel ?? user.id, ...(alert.thread_ts ? { thread_ts: alert.thread_ts } : {}) };
        outcome = await start({
          runbook: snapshot,
          variables: { ...values, ...given.values },
          where,
          askForMissing: given.askForMissing ?? true,
          ask: missing.map((v) => v.name),
          trigger: { source: 'alert', context: { alert_id: fingerprint, slack_channel: where.channel } },
        });
      } catch (error) {
        await release(claim);
        throw error;
      }
      if (outcome.kind !== 'started' || !outcome.run) {
        await release(claim); // the surface asks for inputs; their submit claims again
        return outcome;
      }
      await store.decisions.runStarted(claim, outcome.run.id);
      await refreshCards(await store.recheck(alert));
      return outcome;
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
      const recognized = recognizeSlackMessage(message, deps.rules ?? [], { self });
      // Most channel messages are not alerts: only those are read again for their sender.
      const read = recognized.length > 0 ? readSlackMessage(message) : undefined;
      if (!read) return 0;
      const trust = sourceTrust(deps.sources ?? null, channel, read);
      if (trust === 'unknown') {
        logger.info('alert ignored: its sender is not a configured source for this channel', { channel, ...senderOf(read) });
        return 0;
      }
      // A title-only notification is read against what the bot knows (its types, its devices).
      const known = recognized.some((a) => a.title_values !== null) ? (await knowledge()).known : null;
      const alerts = known === null ? recognized : recognized.map((a) => readAlert(a, known));
      for (const alert of alerts) {
        const received = await store.receive(alert, { channel });
        await this.received(received, { channel, thread_ts: ts }, { mayAutoRun: trust === 'trusted' });
      }
      return alerts.length;
    },

    /** Dismiss on a card, by someone who may run its playbooks: recorded, and the card says who. */
    async dismiss(fingerprint: string, who: Principal): Promise<void> {
      await deps.access.require(who, 'run');
      const alert = await requireEpisode(fingerprint);
      await store.decisions.dismiss(fingerprint, alert.episode, decider({ id: who.actor.id, ...(who.actor.name ? { name: who.actor.name } : {}) }));
      await refreshCards(await store.recheck(alert));
    },

    async recent(who: Principal, limit = 20): Promise<StoredAlert[]> {
      await deps.access.require(who, 'read');
      return store.recent(limit);
    },
  };
}
