// Subdocuments shared by the runbook, runbook-version and audit-event models. Neither holds
// user-written keys, so they are stored as fields (queryable) rather than as JSON text.
import { Schema } from 'mongoose';

/** Who did it: {kind, id, name?}. Groups are resolved per request and not worth keeping. */
export const StoredActorSchema = new Schema(
  { kind: { type: String, required: true }, id: { type: String, required: true }, name: { type: String } },
  // `id: false`: the path named `id` is data here, not mongoose's virtual alias of _id.
  { _id: false, id: false },
);

/** {type: 'global'} or {type: 'company', company}. */
export const StoredScopeSchema = new Schema(
  {
    // A path literally called `type` must be declared as `{type: String}`, or mongoose
    // would read the whole object as "a String".
    type: { type: String, enum: ['global', 'company'], required: true },
    company: { type: String },
  },
  { _id: false },
);

export interface StoredActor {
  kind: string;
  id: string;
  name?: string;
}

/** Keeps who acted, not the groups they were in at the time. */
export function storedActor(actor: StoredActor): StoredActor {
  return actor.name === undefined ? { kind: actor.kind, id: actor.id } : { kind: actor.kind, id: actor.id, name: actor.name };
}
