// A result whose dataset was deleted with its results kept says so under its title.
import { retiredDatasetNote } from '../../../../api/display'
import { Text } from '../Text'

export function RetiredDatasetNote({ dataset }: { dataset: { name: string; retiredAt?: string } }) {
  if (!dataset.retiredAt) return null
  const note = retiredDatasetNote(dataset)
  return (
    <p className="muted small" role="note" data-testid="dataset-retired-note">
      {note.charAt(0).toUpperCase() + note.slice(1)}: its data is in the trash (or purged); new runs
      on it are refused.
    </p>
  )
}

/** A dataset's name in a history table, marked when it was deleted with its results kept. */
export function DatasetNameCell({
  dataset,
  max,
}: {
  dataset: { name: string; retiredAt?: string }
  max: number
}) {
  return (
    <>
      <Text value={dataset.name} max={max} />
      {dataset.retiredAt && (
        <span className="muted small" title={retiredDatasetNote(dataset)}>
          {' '}
          (deleted)
        </span>
      )}
    </>
  )
}
