// Handlers of the retraining calls.
import type { retrainingCalls } from '../../api/retraining'
import type { CoreContext, HandlersFor } from '../context'
import { getRecipe, removeRecipe, setRecipe } from './recipes'
import { cancelRun, getRun, listRuns, readLog, startRun } from './runs'

export function createRetrainingHandlers(core: CoreContext): HandlersFor<typeof retrainingCalls> {
  return {
    'retrain:get-recipe': async ({ model }) => getRecipe(core, model),
    'retrain:set-recipe': async ({ model, recipe }, { actor }) =>
      setRecipe(core, model, recipe, actor),
    'retrain:remove-recipe': async ({ model }, { actor }) => removeRecipe(core, model, actor),
    'retrain:start': async (input, call) =>
      startRun(
        core,
        input.model,
        { trigger: input.trigger, data: input.data, evalData: input.evalData },
        call,
      ),
    'retrain:list': async (input) => listRuns(core, input),
    'retrain:get': async ({ runId }) => getRun(core, runId),
    'retrain:log': async ({ runId, offset }) => readLog(core, runId, offset),
    'retrain:cancel': async ({ runId }) => cancelRun(core, runId),
  }
}
