// Handlers of the drift calls.
import type { driftCalls } from '../../api/drift'
import type { CoreContext, HandlersFor } from '../context'

export function createDriftHandlers(_core: CoreContext): HandlersFor<typeof driftCalls> {
  return {}
}
