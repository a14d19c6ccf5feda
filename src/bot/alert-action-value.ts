// The value of an alert card's buttons: which alert (its fingerprint) and, for Run, which
// playbook. Button values are untrusted input (anyone who can sign a request can send
// anything), so they are parsed with zod and a bad one is refused as a validation error.
import { z } from 'zod';

import { AppError, ErrorCode } from '../errors.js';
import { SLACK_LIMITS } from './views/limits.js';

/**
 * Longest fingerprint a button can carry. Derived fingerprints are 32 hex characters and
 * Alertmanager's 16; the generic webhook allows 200. Even if every character had to be
 * JSON-escaped as `\uXXXX`, 256 of them keep the value far under Slack's 2,000.
 */
export const ALERT_FINGERPRINT_MAX_CHARS = 256;

export const AlertFingerprint = z.string().min(1).max(ALERT_FINGERPRINT_MAX_CHARS);

/** `f`: the alert's fingerprint; `r`: the playbook to run (Run only, absent on Dismiss). */
export const AlertActionValue = z.strictObject({
  f: AlertFingerprint,
  r: z.string().regex(/^rnb_[A-Za-z0-9]{1,64}$/, { error: 'must be a runbook id' }).optional(),
});
export type AlertActionValue = z.infer<typeof AlertActionValue>;

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
}

function refuse(detail: string, cause?: unknown): AppError {
  return new AppError(ErrorCode.Validation, `This alert button's value is malformed (${detail}).`, cause === undefined ? {} : { cause });
}

/** True when a fingerprint fits in a button value (see ALERT_FINGERPRINT_MAX_CHARS). */
export function isButtonFingerprint(fingerprint: string): boolean {
  return AlertFingerprint.safeParse(fingerprint).success;
}

/** JSON with short keys; throws a validation AppError for a value decode would refuse. */
export function encodeAlertActionValue(value: AlertActionValue): string {
  const parsed = AlertActionValue.safeParse(value);
  if (!parsed.success) throw refuse(problems(parsed.error), parsed.error);
  return JSON.stringify(parsed.data);
}

/** Parses a button value; throws a validation AppError naming the problem on anything else. */
export function decodeAlertActionValue(raw: string): AlertActionValue {
  if (raw.length > SLACK_LIMITS.buttonValue) throw refuse(`${raw.length} characters, more than ${SLACK_LIMITS.buttonValue}`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw refuse('not JSON', e);
  }
  const parsed = AlertActionValue.safeParse(json);
  if (!parsed.success) throw refuse(problems(parsed.error), parsed.error);
  return parsed.data;
}
