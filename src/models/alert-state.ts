// Where an alert stands, as its claims say: start from its document (alert-model.ts) and read
// the claim of the next change by _id until there is none. The document is written by each
// change's winner after the claim, so it is normally current and one read finds nothing past
// it; when a winner is slow or died between its claim and its write, the claims past the
// document still give the true state.
import type { Connection } from 'mongoose';

import type { AlertStatus } from '../alerts/alert.js';
import { alertClaimModel, type AlertClaimDoc } from './alert-claim-model.js';
import { alertIds } from './alert-ids.js';
import { alertModel, type AlertDoc, type Described } from './alert-model.js';

export interface AlertState {
  fingerprint: string;
  episode: number;
  status: AlertStatus;
  described: Described;
  /** Where the episode was seen. */
  channel: string | null;
  first_seen: Date;
  episode_started: Date;
  resolved_at: Date | null;
}

export interface Walked {
  fingerprint: string;
  /** The alert's document as read (null: not written yet, or never). */
  doc: AlertDoc | null;
  /** null: no notification of this alert was ever stored. */
  state: AlertState | null;
  /** Claims past the document, oldest first: changes whose winners have not written it (yet). */
  ahead: AlertClaimDoc[];
}

const describedOf = (doc: Described): Described => ({
  source: doc.source,
  recognizer: doc.recognizer,
  type: doc.type,
  severity: doc.severity,
  host: doc.host ?? null,
  labels_json: doc.labels_json,
  summary: doc.summary,
  started_at: doc.started_at ?? null,
  title_values_json: doc.title_values_json ?? null,
  inferred: doc.inferred ?? [],
});

function stateOfDoc(doc: AlertDoc): AlertState {
  return {
    fingerprint: doc._id,
    // A document from before episodes has none: it is the first.
    episode: (doc.episode as number | undefined) ?? 1,
    status: doc.status,
    described: describedOf(doc),
    channel: doc.channel ?? null,
    first_seen: doc.first_seen,
    episode_started: doc.episode_started ?? doc.first_seen,
    resolved_at: doc.resolved_at ?? null,
  };
}

/** The state a claim makes of the one before it. */
export function afterClaim(state: AlertState | null, claim: AlertClaimDoc): AlertState {
  if (claim.kind === 'resolved') {
    if (state === null) throw new Error(`claim ${claim._id} resolves an episode nobody began`);
    return { ...state, status: 'resolved', resolved_at: claim.at };
  }
  return {
    fingerprint: claim.fingerprint,
    episode: claim.episode,
    status: claim.status,
    described: describedOf(claim),
    channel: claim.channel ?? null,
    first_seen: state?.first_seen ?? claim.at,
    episode_started: claim.at,
    resolved_at: claim.status === 'resolved' ? claim.at : null,
  };
}

/** The _id of the claim that would change `state`: the next episode's, or this one's resolve. */
export function nextClaimId(fingerprint: string, state: AlertState | null): string {
  if (state === null) return alertIds.episode(fingerprint, 1);
  return state.status === 'firing' ? alertIds.resolved(fingerprint, state.episode) : alertIds.episode(fingerprint, state.episode + 1);
}

/** The alert document's fields for `state` (what a change's winner writes). */
export function docFields(state: AlertState, at: Date): Omit<AlertDoc, '_id'> {
  return {
    ...state.described,
    status: state.status,
    episode: state.episode,
    channel: state.channel,
    first_seen: state.first_seen,
    episode_started: state.episode_started,
    resolved_at: state.resolved_at,
    changed_at: at,
  };
}

export function createAlertStateReader(conn: Connection) {
  const Alerts = alertModel(conn);
  const Claims = alertClaimModel(conn);

  /** Reads the claims past `from` until one is missing. */
  async function walk(from: Walked): Promise<Walked> {
    let { state } = from;
    const ahead = [...from.ahead];
    for (;;) {
      const claim = (await Claims.collection.findOne({ _id: nextClaimId(from.fingerprint, state) as never })) as unknown as AlertClaimDoc | null;
      if (claim === null) return { ...from, state, ahead };
      ahead.push(claim);
      state = afterClaim(state, claim);
    }
  }

  return {
    walk,

    /** The alert's document, without reading past it. */
    async readDoc(fingerprint: string): Promise<AlertDoc | null> {
      return (await Alerts.collection.findOne({ _id: fingerprint as never })) as unknown as AlertDoc | null;
    },

    /** Where `fingerprint` stands, from its document (`doc`, when already read) and the claims past it. */
    async read(fingerprint: string, doc?: AlertDoc | null): Promise<Walked> {
      return walk(this.fromDoc(fingerprint, doc === undefined ? await this.readDoc(fingerprint) : doc));
    },

    /** Where the document says `fingerprint` stands, claims past it unread: a place to walk from or claim from. */
    fromDoc(fingerprint: string, doc: AlertDoc | null): Walked {
      return { fingerprint, doc, state: doc ? stateOfDoc(doc) : null, ahead: [] };
    },

    async resolveClaim(fingerprint: string, episode: number): Promise<AlertClaimDoc | null> {
      return (await Claims.collection.findOne({ _id: alertIds.resolved(fingerprint, episode) as never })) as unknown as AlertClaimDoc | null;
    },
  };
}

export type AlertStateReader = ReturnType<typeof createAlertStateReader>;
