// zod pieces shared by the commands' argument schemas. Messages read after the option name
// (`--version "x" is not a version number`) or on their own for positionals.
import { z } from 'zod';

import { LIMITS } from '../engine/definition/index.js';

/** `3` or `v3`. */
export const VersionArg = z
  .string()
  .regex(/^v?[1-9][0-9]{0,8}$/, { error: (issue) => `"${String(issue.input)}" is not a version number (such as 3 or v3)` })
  .transform((text) => Number(text.replace(/^v/, '')));

export const CompanyOption = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.company, { error: `must be at most ${LIMITS.company} characters` });

/** Exactly `names.length` positionals, reported by name when some are missing or extra. */
export function positionalsNamed(...names: string[]) {
  return z.array(z.string()).check((ctx) => {
    const got = ctx.value.length;
    if (got < names.length) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `missing ${names.slice(got).join(' and ')}` });
    } else if (got > names.length) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `unexpected argument "${ctx.value[names.length]}"` });
    }
  });
}
