// Deleting a dataset from its page. A dataset no result uses goes to the trash (Undo). A dataset
// that evaluations or comparisons were computed on is kept by them — they record their numbers
// against its rows — so the page names those results and says exactly what is kept, and offers to
// delete the dataset together with them (all restorable together for 30 days).
import { useEffect } from 'react'
import type { DatasetDetail } from '../../../../api/datasets'
import { formatTime } from '../../lib/format'
import { useDatasetUses } from '../../stores/dataset-uses'
import { useDatasets } from '../../stores/datasets'
import { hrefFor, useRoute } from '../../stores/route'
import { ErrorNote } from '../ErrorNote'
import { ConfirmButton } from '../shared/ConfirmButton'
import { Text } from '../Text'

export function DatasetDelete({ dataset }: { dataset: DatasetDetail }) {
  const { uses, error, load, removeWithResults, removeKeepingResults } = useDatasetUses()
  useEffect(() => {
    void load(dataset.id)
  }, [dataset.id, load])
  const mine = uses?.datasetId === dataset.id ? uses : null
  const count = mine ? mine.evaluations.length + mine.comparisons.length : 0
  const leave = (): void => useRoute.getState().navigate(hrefFor('datasets'))
  if (dataset.retiredAt)
    return (
      <p className="muted small" data-testid="dataset-retired">
        Deleted on {formatTime(dataset.retiredAt)}; its results are kept. Restore it from the trash
        to use it again.
      </p>
    )
  if (!mine || count === 0)
    return (
      <ConfirmButton
        className=""
        label="Delete…"
        question={`Delete dataset ${dataset.name}? It can be restored from the trash for 30 days.`}
        confirmLabel="Delete"
        disabled={!mine}
        onConfirm={async () => {
          const problem = await useDatasets.getState().remove(dataset.id)
          if (!problem) leave()
          return problem
        }}
        testId="dataset-delete"
      />
    )
  return (
    <>
      <ConfirmButton
        className=""
        label="Delete with its results…"
        question={`Delete dataset ${dataset.name} and the ${count} ${count === 1 ? 'result' : 'results'} computed on it? All can be restored together for 30 days.`}
        confirmLabel={`Delete ${count + 1} items`}
        onConfirm={async () => {
          const problem = await removeWithResults(dataset.id, dataset.name, () =>
            useDatasets.getState().loadList(),
          )
          if (!problem) leave()
          return problem
        }}
        testId="dataset-delete-with-results"
      />
      <ConfirmButton
        className=""
        label="Delete, keep the results…"
        question={`Delete dataset ${dataset.name} but keep the ${count} ${count === 1 ? 'result' : 'results'} computed on it? They stay viewable and say the dataset was deleted; new runs on it are refused. Its data can be restored from the trash for 30 days.`}
        confirmLabel="Delete, keep results"
        onConfirm={async () => {
          const problem = await removeKeepingResults(dataset.id, dataset.name, () =>
            useDatasets.getState().loadList(),
          )
          if (!problem) leave()
          return problem
        }}
        testId="dataset-delete-keep-results"
      />
      <ErrorNote message={error} />
    </>
  )
}

/** The results computed on the dataset, linked, and what keeping them means. */
export function DatasetUsedBy({ dataset }: { dataset: DatasetDetail }) {
  const uses = useDatasetUses((state) => state.uses)
  if (!uses || uses.datasetId !== dataset.id) return null
  const { evaluations, comparisons } = uses
  if (!evaluations.length && !comparisons.length) return null
  return (
    <div className="card" data-testid="dataset-used-by">
      <h2>Results computed on this dataset</h2>
      <p className="muted small" data-testid="dataset-kept-because">
        These results keep the dataset: each records its numbers against these rows (name,
        fingerprint and row count are shown with it). Keep the dataset to keep them checkable;
        delete it together with them (the dataset and its results wait in the trash for 30 days and
        one Undo restores them all); or delete it and keep the results: they stay viewable and say
        the dataset was deleted, its data waits in the trash for 30 days, and new runs on it are
        refused.
      </p>
      <ul className="plain-list">
        {evaluations.map((e) => (
          <li key={`e${e.id}`} data-testid="dataset-use">
            <a href={hrefFor('evaluate', e.id)}>Evaluation #{e.id}</a>:{' '}
            <Text value={e.model} max={80} /> v{e.version}{' '}
            <span className="muted small">{formatTime(e.createdAt)}</span>
          </li>
        ))}
        {comparisons.map((c) => (
          <li key={`c${c.id}`} data-testid="dataset-use">
            <a href={hrefFor('compare', c.id)}>Comparison #{c.id}</a>:{' '}
            <Text value={c.champion.model} max={80} /> v{c.champion.version} vs v
            {c.challenger.version} <span className="muted small">{formatTime(c.createdAt)}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}
