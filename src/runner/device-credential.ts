// A device's credential: an Ed25519 key pair made by `runbook-bot runner enroll DEVICE_ID`.
// The runner holds the private half (shown once, as the credential text) and signs every tool
// result with it; the bot keeps only the public half, with which it checks that a result
// comes from the device the call was sent to. Like a hash, the public half cannot be turned
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

/** Exactly what is signed: every field the bot applies, in a fixed order, output with sorted keys. */
function signedText(result: SignedFields): Buffer {
  const { callId, runId, stepId, visit, try: attempt, deviceId, ok, output, error } = result;
  return Buffer.from(canonicalJson([callId, runId, stepId, visit, attempt, deviceId, ok, output, error]), 'utf8');
}

export function signResult(credential: DeviceCredential, result: SignedFields): string {
  return sign(null, signedText(result), credential.privateKey).toString('base64url');
}

/** True when `signature` is the device's (whose public key is `publicKey`) over this result. */
export function verifyResult(publicKey: string, result: SignedFields, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return verify(null, signedText(result), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
