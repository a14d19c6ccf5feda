import type { mongo } from 'mongoose';

import { isDuplicateKeyError } from '../errors.js';

/**
 * Inserts `doc` unless a document with its `_id` (or another unique key) exists: true when
 * this insert made it. The store's one atomic claim on every MongoDB-compatible server
 * (FerretDB v1 applies filtered updates as a read then a write).
 */
export async function insertOnce(collection: Pick<mongo.Collection<mongo.Document>, 'insertOne'>, doc: object): Promise<boolean> {
  try {
    await collection.insertOne(doc as mongo.Document);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
