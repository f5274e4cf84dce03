// Trash view: what was deleted (evaluations, comparisons, drift runs, datasets), by whom and when,
// each restorable with its id until it is purged 30 days after the delete.
import { useEffect } from 'react'
import { ErrorNote } from '../components/ErrorNote'
import { Text } from '../components/Text'
import { ConfirmButton } from '../components/shared/ConfirmButton'
import { formatTime } from '../lib/format'
import { useTrash } from '../stores/trash'
import type { ViewDefinition } from './types'

function TrashView() {
  const { entries, error, load, restore } = useTrash()
  useEffect(() => {
    void load()
  }, [load])
  return (
    <section data-testid="trash-view">
      <header className="page-header">
        <h1>Trash</h1>
      </header>
      <p className="muted">
        Deleted evaluations, comparisons, drift runs and datasets wait here for 30 days, whole;
        restoring one puts it back with its id. Deleting and restoring are both in the audit trail.
      </p>
      <ErrorNote message={error} />
      {entries !== null && entries.length === 0 && (
        <p className="muted" data-testid="trash-empty">
          The trash is empty. Deleted results and datasets show here, restorable for 30 days.
        </p>
      )}
      {entries !== null && entries.length > 0 && (
        <table className="data compact" data-testid="trash-table">
          <thead>
            <tr>
              <th>What</th>
              <th>Deleted</th>
              <th>Purged after</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-testid="trash-row" data-kind={entry.kind}>
                <td className="wrap">
                  <Text value={entry.title} max={160} />
                </td>
                <td className="muted">
                  {formatTime(entry.deletedAt)} by <Text value={entry.deletedBy} max={40} />
                </td>
                <td className="muted">{formatTime(entry.purgeAfter)}</td>
                <td className="actions">
                  <ConfirmButton
                    label="Restore…"
                    ariaLabel={`Restore ${entry.title}`}
                    question={`Restore ${entry.title}?`}
                    confirmLabel="Restore"
                    confirmClassName="primary"
                    onConfirm={() => restore(entry.id)}
                    testId="trash-restore"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export const trashView: ViewDefinition = {
  id: 'trash',
  title: 'Trash',
  icon: '⌫',
  component: TrashView,
}
