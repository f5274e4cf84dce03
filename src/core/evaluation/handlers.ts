// Handlers of the evaluation calls.
import type { evaluationCalls } from '../../api/evaluation'
import type { CoreContext, HandlersFor } from '../context'

export function createEvaluationHandlers(_core: CoreContext): HandlersFor<typeof evaluationCalls> {
  return {}
}
