// Datasets view: the imported datasets and their imports in flight → one dataset's column profile.
import { DatasetPage } from '../components/datasets/DatasetPage'
import { DatasetsList } from '../components/datasets/DatasetsList'
import { addDropHandler } from '../lib/drop-targets'
import { isDatasetFileName, useDatasets } from '../stores/datasets'
import { hrefFor, useRoute } from '../stores/route'
import type { ViewDefinition, ViewProps } from './types'

// Registered for the life of the page, so a .csv or .parquet dropped on any view imports it as a
// dataset (views that use datasets register their own handler on top while shown).
addDropHandler({
  accepts: (file) => isDatasetFileName(file.name),
  take: (files) => {
    useRoute.getState().navigate(hrefFor('datasets'))
    void useDatasets
      .getState()
      .importFiles(files)
      .then((imported) => {
        const last = imported[imported.length - 1]
        if (imported.length === 1 && last)
          useRoute.getState().navigate(hrefFor('datasets', last.id))
      })
  },
})

function DatasetsView({ segments }: ViewProps) {
  const id = Number(segments[0])
  if (segments[0] && Number.isInteger(id) && id > 0) return <DatasetPage id={id} />
  return <DatasetsList />
}

export const datasetsView: ViewDefinition = {
  id: 'datasets',
  title: 'Datasets',
  component: DatasetsView,
}
