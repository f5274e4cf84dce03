// Handlers of the dataset calls.
import type { datasetCalls } from '../../api/datasets'
import type { CoreContext, HandlersFor } from '../context'

export function createDatasetHandlers(_core: CoreContext): HandlersFor<typeof datasetCalls> {
  return {}
}
