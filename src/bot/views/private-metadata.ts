// Reading a modal's private_metadata back: JSON first, then the modal's own schema.
import { z } from 'zod';

/**
 * Parses `raw` as JSON and checks it against `schema`; throws naming `what` (e.g. "fail modal")
 * and the problem when it is not JSON or has the wrong shape.
 */
export function parsePrivateMetadata<T>(schema: z.ZodType<T>, raw: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${what} private_metadata is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${what} private_metadata has the wrong shape\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
