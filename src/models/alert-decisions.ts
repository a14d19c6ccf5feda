// Runs and dismisses of an alert's episodes (alert-decision-model.ts). A run is claimed as the
// episode's next run number before it starts, so two clicks at once (on any processes) start
// one run; the claim's writer alone then says how it ended.
import { randomUUID } from 'node:crypto';

import type { Connection } from 'mongoose';

import { alertDecisionModel, type AlertDecisionRecord } from './alert-decision-model.js';
import { alertIds } from './alert-ids.js';
import { readSeries } from './read-series.js';
import type { AlertDecisionDoc } from './alert-model.js';
import { insertOnce } from './insert-once.js';

export type RunDecision = Pick<AlertDecisionDoc, 'runbook_id' | 'by'> & { action: 'run' | 'auto_run' };

export function createAlertDecisions(conn: Connection, now: () => number) {
  const Decisions = alertDecisionModel(conn);
  const find = async (id: string) => (await Decisions.collection.findOne({ _id: id as never })) as AlertDecisionRecord | null;

  return {
    /** The episode's run claims, oldest first. */
    runs(fingerprint: string, episode: number): Promise<AlertDecisionRecord[]> {
      return readSeries(find, (k) => alertIds.run(fingerprint, episode, k));
    },

    /** Claims the episode's k-th run; null when someone else did first. */
    async claimRun(fingerprint: string, episode: number, k: number, decision: RunDecision): Promise<AlertDecisionRecord | null> {
      const doc: AlertDecisionRecord = {
        _id: alertIds.run(fingerprint, episode, k),
        fingerprint,
        episode,
        k,
        state: 'claimed',
        action: decision.action,
        runbook_id: decision.runbook_id,
        run_id: null,
        by: decision.by,
        at: new Date(now()),
      };
      return (await insertOnce(Decisions.collection, doc)) ? doc : null;
    },

    /** The claimed run started (its claimer only). */
    async runStarted(claim: AlertDecisionRecord, runId: string): Promise<void> {
      await Decisions.collection.updateOne({ _id: claim._id as never }, { $set: { state: 'started', run_id: runId, at: new Date(now()) } });
    },

    /** No run came of the claim: the start asked for inputs, or was refused (its claimer only). */
    async runReleased(claim: AlertDecisionRecord): Promise<void> {
      await Decisions.collection.updateOne({ _id: claim._id as never }, { $set: { state: 'released' } });
    },

    async dismiss(fingerprint: string, episode: number, by: AlertDecisionDoc['by']): Promise<void> {
      const doc: AlertDecisionRecord = {
        _id: alertIds.dismiss(fingerprint, episode, randomUUID()),
        fingerprint,
        episode,
        k: null,
        state: 'decided',
        action: 'dismiss',
        runbook_id: null,
        run_id: null,
        by,
        at: new Date(now()),
      };
      await Decisions.collection.insertOne(doc as never);
    },

    /** Every decision and claim about the alerts, oldest first. */
    async of(fingerprints: readonly string[]): Promise<AlertDecisionRecord[]> {
      if (fingerprints.length === 0) return [];
      const filter = fingerprints.length === 1 ? { fingerprint: fingerprints[0] } : { fingerprint: { $in: [...fingerprints] } };
      return (await Decisions.collection.find(filter as never).sort({ at: 1, _id: 1 }).toArray()) as unknown as AlertDecisionRecord[];
    },
  };
}

export type AlertDecisions = ReturnType<typeof createAlertDecisions>;
