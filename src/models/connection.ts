// MongoDB connections. Each caller gets its own mongoose Connection (never the global
// default), so tests can hold one database per file and the bot can close cleanly.
import mongoose from 'mongoose';

import { AppError, ErrorCode } from '../errors.js';
import { redactSecrets } from '../redact.js';


export async function connectMongo(uri: string, dbName?: string): Promise<mongoose.Connection> {
  const conn = mongoose.createConnection(uri, {
    ...(dbName === undefined ? {} : { dbName }),
    // Fail in seconds, not the driver's 30 s default: an unreachable server is a
    // configuration problem the operator should hear about at once.
    serverSelectionTimeoutMS: 5_000,
    // A server that stops answering (paused, cut off) fails the operation after this long
    // instead of holding it, and the user who sent a command hears so; no query here is
    // meant to take near this long.
    socketTimeoutMS: 10_000,
    // The same bound for opening a connection (its handshake), which would otherwise wait 30 s.
    connectTimeoutMS: 10_000,
    // Models declare their indexes (unique names, lookups); build them on first use.
    autoIndex: true,
    autoCreate: true,
  });
  try {
    await conn.asPromise();
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw new AppError(ErrorCode.Internal, `MongoDB is not reachable at ${redactSecrets(uri)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return conn;
}
