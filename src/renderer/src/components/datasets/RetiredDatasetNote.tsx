// A result whose dataset was deleted with its results kept says so under its title.
import { retiredDatasetNote } from '../../../../api/display'

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
