// A card listing stored runs newest first: a link to each, when it ran, the caller's columns and
// a confirmed delete. Past evaluations and past comparisons are both this table.
import type { ReactNode } from 'react'
import { formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { ConfirmButton } from './ConfirmButton'

export interface HistoryColumn<T> {
  title: string
  /** On the header and the cells ('num'). */
  className?: string
  /** On the cells only ('muted'). */
  cellClassName?: string
  cell: (entry: T) => ReactNode
}

export function HistoryTable<T extends { id: number; createdAt: string }>({
  title,
  history,
  openId,
  view,
  columns,
  what,
  onDelete,
  testId,
  rowTestId,
  deleteTestId,
}: {
  title: string
  history: T[]
  openId: number | null
  /** The view each row's link opens (with the row's id). */
  view: string
  columns: HistoryColumn<T>[]
  /** "evaluation", "comparison": for the delete button's words. */
  what: string
  onDelete: (id: number) => Promise<string | null>
  testId: string
  rowTestId: string
  deleteTestId: string
}) {
  if (history.length === 0) return null
  return (
    <div className="card" data-testid={testId}>
      <h2>{title}</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            {columns.map((column) => (
              <th key={column.title} className={column.className}>
                {column.title}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((entry) => (
            <tr
              key={entry.id}
              className={entry.id === openId ? 'selected' : undefined}
              data-testid={rowTestId}
            >
              <td>
                <a href={hrefFor(view, entry.id)}>#{entry.id}</a>
              </td>
              <td className="muted">{formatTime(entry.createdAt)}</td>
              {columns.map((column) => (
                <td key={column.title} className={column.cellClassName ?? column.className}>
                  {column.cell(entry)}
                </td>
              ))}
              <td className="actions">
                <ConfirmButton
                  label="Delete…"
                  ariaLabel={`Delete ${what} ${entry.id}`}
                  question={`Delete ${what} #${entry.id}? It can be restored from the trash for 30 days.`}
                  confirmLabel="Delete"
                  onConfirm={() => onDelete(entry.id)}
                  testId={deleteTestId}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
