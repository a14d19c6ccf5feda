// What the sandbox page may send, checked at the boundary like every other surface's input.
import { z } from 'zod';

import { SANDBOX_USERS, sandboxUser, type SandboxUser } from './people.js';

const userIds = SANDBOX_USERS.map((u) => u.id) as [string, ...string[]];
/** A person's id in, the person out. */
const user = z.enum(userIds, { error: `must be one of the sandbox's people: ${userIds.join(', ')}` }).transform((id) => sandboxUser(id) as SandboxUser);
const id = z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, { error: 'must be a Slack id' });

export const CommandBody = z.strictObject({ user, channel: id, text: z.string().max(4000) });

const option = z.object({ text: z.unknown(), value: z.string().max(2000) });

export const ActionBody = z.strictObject({
  user,
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255).default('actions'),
  value: z.string().max(2000).optional(),
  selected_option: option.optional(),
  /** A button on a message… */
  channel: id.optional(),
  message_ts: id.optional(),
  thread_ts: id.optional(),
  /** …or in a modal or the App Home. */
  view_id: id.optional(),
}).refine((b) => (b.message_ts !== undefined && b.channel !== undefined) !== (b.view_id !== undefined), {
  error: 'give channel and message_ts for a button on a message, or view_id for one in a modal or the Home tab',
});

export const SubmitBody = z.strictObject({
  user,
  view_id: id,
  values: z.record(z.string().max(255), z.record(z.string().max(255), z.unknown())),
});

export const CloseBody = z.strictObject({ user, view_id: id });
export const AlertBody = z.strictObject({ channel: id });
export const HomeBody = z.strictObject({ user });
export const UserQuery = z.strictObject({ user: user.transform((u) => u.id) });
/** A first visit asks before it has picked a person: it gets the public part only. */
export const StateQuery = z.strictObject({ user: user.transform((u) => u.id).optional() });
