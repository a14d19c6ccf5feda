// The _ids of an alert's claims, cards and decisions: `<fingerprint>#<episode>` and what
// follows it. Whoever inserts one of these first has made that decision, on any process: an
// insert of an _id already there fails with duplicate key on MongoDB and FerretDB alike, while
// FerretDB v1 applies a filtered update as a read and then a write of the whole document, so
// no update can be a compare-and-set there. Reads by _id are also the only ones FerretDB serves
// from an index, so every lookup on the delivery path is by one of these.

// Fingerprints are free text and may hold `#` themselves: the fingerprint comes first and what
// follows has a fixed shape (ending in a number, `resolved` or a UUID), so read from the right
// an id gives back one fingerprint, and two alerts' ids in one collection are never equal.
export const alertIds = {
  /** Episode `episode` began (firing, or first seen resolved). */
  episode: (fingerprint: string, episode: number) => `${fingerprint}#${episode}`,
  /** Episode `episode` resolved. */
  resolved: (fingerprint: string, episode: number) => `${fingerprint}#${episode}#resolved`,
  /** The n-th attempt to post the episode's card. */
  card: (fingerprint: string, episode: number, n: number) => `${fingerprint}#${episode}#card#${n}`,
  /** The k-th run started (or being started) for the episode. */
  run: (fingerprint: string, episode: number, k: number) => `${fingerprint}#${episode}#run#${k}`,
  /** A dismiss; `unique` (a UUID) tells two dismisses apart. */
  dismiss: (fingerprint: string, episode: number, unique: string) => `${fingerprint}#${episode}#dismiss#${unique}`,
};
