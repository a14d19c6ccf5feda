import type { EffectHandlers } from '../services/effect-handlers.js';
import type { ToolDispatcher } from './tool-dispatcher.js';

/** The engine's runTool effect, sent to the run's device. */
export function toolEffectHandlers(dispatcher: Pick<ToolDispatcher, 'dispatch'>): EffectHandlers {
  return {
    runTool: async (effect, run) => {
      await dispatcher.dispatch(effect, run);
    },
  };
}
