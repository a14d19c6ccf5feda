// A device's credential: an Ed25519 key pair made by `runbook-bot runner enroll DEVICE_ID`.
// The runner holds the private half (shown once, as the credential text) and signs every tool
// result and runner event (registration, heartbeat, stop) with it; the bot keeps only the
// public half, with which it checks that a result comes from the device the call was sent to
// and that an event comes from the device it names. Like a hash, the public half cannot be turned
// back into the credential, so a copy of the database cannot answer calls.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

import { canonicalJson } from '../engine/definition/canonical.js';
import { AppError, ErrorCode } from '../errors.js';
import type { ToolResultJob } from '../jobs/tool-queue.js';
import { DEVICE_ID_PATTERN } from '../models/device-model.js';

const PREFIX = 'rbd1.';

export interface DeviceKeyPair {
  /** The text a runner is given: `rbd1.DEVICE_ID.KEY`. */
  credential: string;
  /** SPKI DER, base64: what the bot stores. */
  publicKey: string;
}

export interface DeviceCredential {
  deviceId: string;
  privateKey: KeyObject;
}

export function createDeviceKeyPair(deviceId: string): DeviceKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url');
  return { credential: `${PREFIX}${deviceId}.${key}`, publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** The credential text back; throws a validation error that never repeats the key. */
export function parseDeviceCredential(text: string): DeviceCredential {
  const value = text.trim();
  const cut = value.lastIndexOf('.');
  const deviceId = value.slice(PREFIX.length, cut);
  const bad = (why: string) =>
    new AppError(ErrorCode.Validation, `RUNNER_CREDENTIAL: ${why}; make one with \`runbook-bot runner enroll DEVICE_ID\``, { details: { field: 'RUNNER_CREDENTIAL' } });
  if (!value.startsWith(PREFIX) || cut <= PREFIX.length || !DEVICE_ID_PATTERN.test(deviceId)) throw bad('not a device credential (rbd1.DEVICE_ID.KEY)');
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(value.slice(cut + 1), 'base64url'), format: 'der', type: 'pkcs8' });
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return { deviceId, privateKey };
  } catch {
    throw bad(`its key part is damaged (device ${deviceId})`);
  }
}

export type SignedFields = Pick<ToolResultJob, 'callId' | 'runId' | 'stepId' | 'visit' | 'try' | 'deviceId' | 'ok' | 'output' | 'error'>;

/** Any JSON value signed as its canonical text (object keys sorted at every depth). */
export function signValue(credential: DeviceCredential, value: unknown): string {
  return sign(null, Buffer.from(canonicalJson(value), 'utf8'), credential.privateKey).toString('base64url');
}

/** True when `signature` is the device's (whose public key is `publicKey`) over `value`. */
export function verifyValue(publicKey: string, value: unknown, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(canonicalJson(value), 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Exactly what is signed of a result: every field the bot applies, in a fixed order. */
const signedFields = ({ callId, runId, stepId, visit, try: attempt, deviceId, ok, output, error }: SignedFields) => [callId, runId, stepId, visit, attempt, deviceId, ok, output, error];

export function signResult(credential: DeviceCredential, result: SignedFields): string {
  return signValue(credential, signedFields(result));
}

export function verifyResult(publicKey: string, result: SignedFields, signature: string): boolean {
  return verifyValue(publicKey, signedFields(result), signature);
}
