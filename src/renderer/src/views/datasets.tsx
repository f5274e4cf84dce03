// Datasets view: the imported datasets and their imports in flight → one dataset's column profile.
import { DatasetPage } from '../components/datasets/DatasetPage'
import { DatasetsList } from '../components/datasets/DatasetsList'
import { addDropHandler } from '../lib/drop-targets'
import { isDatasetFileName } from '../stores/datasets'
import { useImportDialog } from '../stores/import-dialog'
import type { ViewDefinition, ViewProps } from './types'

// Registered for the life of the page, so a .csv or .parquet dropped on any view is offered for
// import as a dataset (asked first, with its name); views whose forms use datasets register their
// own handler on top while shown.
addDropHandler({
  accepts: (file) => isDatasetFileName(file.name),
  take: (files) => void useImportDialog.getState().openWith(files),
  describe: 'Data files (.csv, .parquet): you are asked before they are imported as datasets',
})

function DatasetsView({ segments }: ViewProps) {
  const id = Number(segments[0])
  if (segments[0] && Number.isInteger(id) && id > 0) return <DatasetPage id={id} />
  return <DatasetsList />
}

export const datasetsView: ViewDefinition = {
  id: 'datasets',
  title: 'Datasets',
  icon: '▦',
  component: DatasetsView,
}
