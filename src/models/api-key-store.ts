// API keys: made once (the caller sees the key text that one time), listed without it,
// revoked by deleting, and checked by hash. No read-then-write: a name is taken by the insert
// that wins on the _id index, so two admins creating the same name get one key and a conflict.
import { createHash, randomInt } from 'node:crypto';

import type { Connection } from 'mongoose';

import type { Actor } from '../engine/types.js';
import { AppError, ErrorCode, isDuplicateKeyError } from '../errors.js';
import { apiKeyModel, type ApiKeyDoc } from './api-key-model.js';
import { parseKeyName, parseScopes, type ApiScope } from './api-key-names.js';
import { storedActor, type StoredActor } from './runbook-subschemas.js';

/** A key as callers see it: never its text or hash. */
export interface ApiKeyRecord {
  name: string;
  scopes: ApiScope[];
  /** The 8 characters after `rbk_`, for telling keys apart. */
  prefix: string;
  created_at: Date;
  created_by: StoredActor;
}

export interface CreatedApiKey {
  /** The whole key: shown once, stored only as a hash. */
  key: string;
  record: ApiKeyRecord;
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;

export const API_KEY_PREFIX = 'rbk_';
const RANDOM_CHARS = 40;
const PREFIX_CHARS = 8;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_CHARS}}$`);

/** `rbk_` + 40 base62 characters (about 238 bits); randomInt rejects out-of-range draws, so every character is equally likely. */
export function generateApiKey(): string {
  let text = API_KEY_PREFIX;
  for (let i = 0; i < RANDOM_CHARS; i++) text += BASE62[randomInt(BASE62.length)];
  return text;
}

export function isApiKeyText(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** How a key is stored and looked up; also the cache key of the API's authenticator. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function toRecord(doc: ApiKeyDoc): ApiKeyRecord {
  const { kind, id, name } = doc.created_by;
  return {
    name: doc._id,
    scopes: [...doc.scopes],
    prefix: doc.prefix,
    created_at: doc.created_at,
    created_by: name === undefined ? { kind, id } : { kind, id, name },
  };
}

export function createApiKeyStore(conn: Connection, now: () => number = Date.now) {
  const Keys = apiKeyModel(conn);
  let ready: Promise<void> | undefined;
  // The unique hash index must exist before the first insert, or a (vanishingly unlikely)
  // repeated hash would give two documents authenticate cannot choose between.
  const indexed = () => (ready ??= Keys.init().then(() => undefined));

  return {
    async create(nameText: string, scopeText: string | readonly string[], by: Actor): Promise<CreatedApiKey> {
      const name = parseKeyName(nameText);
      const scopes = parseScopes(scopeText);
      await indexed();
      const key = generateApiKey();
      const doc: ApiKeyDoc = {
        _id: name,
        key_hash: hashKey(key),
        prefix: key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + PREFIX_CHARS),
        scopes,
        created_at: new Date(now()),
        created_by: storedActor(by),
      };
      try {
        await Keys.create(doc);
      } catch (e) {
        // A collision on key_hash would need a repeated 238-bit draw: a duplicate is the name.
        if (isDuplicateKeyError(e)) {
          throw new AppError(ErrorCode.Conflict, `an API key named ${name} exists; revoke it first`, { details: { name }, cause: e });
        }
        throw e;
      }
      return { key, record: toRecord(doc) };
    },

    /** Every key by name. */
    async list(): Promise<ApiKeyRecord[]> {
      const docs = await Keys.find({}).sort({ _id: 1 }).lean<ApiKeyDoc[]>().exec();
      return docs.map(toRecord);
    },

    /**
     * Deletes the key, so it stops authenticating at once, and returns what it was. Who
     * revoked it is part of the signature for the audit trail to come; nothing records it yet.
     */
    async revoke(nameText: string, _by: Actor): Promise<ApiKeyRecord> {
      const name = parseKeyName(nameText);
      const doc = await Keys.findOneAndDelete({ _id: name }).lean<ApiKeyDoc>().exec();
      if (doc === null) throw new AppError(ErrorCode.NotFound, `no API key named ${name}`, { details: { name } });
      return toRecord(doc);
    },

    /** The key's record, or null for an unknown, revoked or malformed key (not worth a query). */
    async authenticate(key: string): Promise<ApiKeyRecord | null> {
      if (typeof key !== 'string' || !isApiKeyText(key)) return null;
      // Looked up by hash: the index finds it, and no stored secret is compared byte by byte.
      const doc = await Keys.findOne({ key_hash: hashKey(key) }).lean<ApiKeyDoc>().exec();
      return doc === null ? null : toRecord(doc);
    },
  };
}
