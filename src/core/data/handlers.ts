// Handlers of the dataset calls: `datasets:add` runs the import as a job (progress, cancel), the
// job's result being the imported dataset.
import type { datasetCalls } from '../../api/datasets'
import type { CoreContext, HandlersFor } from '../context'
import {
  getDataset,
  importDataset,
  listDatasets,
  refuseTakenName,
  removeDataset,
  renameDataset,
} from './import'

export function createDatasetHandlers(core: CoreContext): HandlersFor<typeof datasetCalls> {
  return {
    'datasets:add': async ({ file, name }, call) => {
      // Resolved before the job starts, so a missing file or a refused path fails the call itself.
      const resolved = core.resolveFile(file, call)
      if (name) refuseTakenName(core, name.trim())
      return core.jobs.start(
        'dataset-import',
        `Importing ${resolved.fileName}`,
        ({ signal, progress }) =>
          importDataset(core, resolved, { actor: call.actor, name, signal, onProgress: progress }),
      )
    },
    'datasets:list': async () => listDatasets(core),
    'datasets:get': async ({ id }) => getDataset(core, id),
    'datasets:rename': async ({ id, name }, { actor }) => renameDataset(core, actor, id, name),
    'datasets:remove': async ({ id, keepResults }, { actor }) =>
      removeDataset(core, id, actor, { keepResults }),
  }
}
