import type { Effect, Run } from '../engine/index.js';
import type { Logger } from '../logger.js';

/** One handler per effect type; the shell registers what it can perform (Slack, queues...). */
export type EffectHandlers = {
  [K in Effect['type']]?: (effect: Extract<Effect, { type: K }>, run: Run) => Promise<void>;
};

/**
 * Performs effects after the run was saved. A failure is logged, never thrown: the stored
 * run is the truth, and every effect can be redone from it (waits by the reconciler,
 * messages by the next render).
 */
export async function performEffects(handlers: EffectHandlers, effects: Effect[], run: Run, logger: Logger): Promise<void> {
  for (const effect of effects) {
    const handler = handlers[effect.type] as ((e: Effect, r: Run) => Promise<void>) | undefined;
    if (!handler) continue;
    try {
      await handler(effect, run);
    } catch (error) {
      logger.error('effect failed', { effect: effect.type, run_id: run.id, error });
    }
  }
}

/** Combines handler sets; handlers for the same effect type run in the order given. */
export function combineHandlers(...sets: EffectHandlers[]): EffectHandlers {
  const combined: Record<string, (e: Effect, r: Run) => Promise<void>> = {};
  for (const set of sets) {
    for (const [type, handler] of Object.entries(set) as [string, (e: Effect, r: Run) => Promise<void>][]) {
      const previous = combined[type];
      combined[type] = previous ? async (e, r) => { await previous(e, r); await handler(e, r); } : handler;
    }
  }
  return combined as EffectHandlers;
}
