import type { EffectHandlers } from '../services/effect-handlers.js';
import type { WaitScheduler } from './wait-queue.js';

/** The engine's wait and deadline effects, performed on the BullMQ queue. */
export function waitEffectHandlers(scheduler: Pick<WaitScheduler, 'schedule' | 'cancel'>): EffectHandlers {
  return {
    scheduleWait: (effect) => scheduler.schedule(effect.run_id, effect.wait),
    cancelWait: (effect) => scheduler.cancel(effect.run_id, effect.wait),
    scheduleTimer: (effect) => scheduler.schedule(effect.run_id, effect.timer),
  };
}
