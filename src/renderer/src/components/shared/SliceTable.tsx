// The table of one row per value of a slice column, with its row count and a cell per metric:
// an evaluation's slices and a comparison's change by slice.
import type { ReactNode } from 'react'
import { metricInfo } from '../../lib/charts/metrics'
import { formatCount } from '../../lib/format'
import { Text } from '../Text'

export function SliceTable<Row extends { value: string | null; rows: number }>({
  title,
  rows,
  metrics,
  cell,
  testId,
  rowTestId,
}: {
  title: ReactNode
  rows: readonly Row[]
  /** The metric keys, one column each. */
  metrics: readonly string[]
  /** The `<td>` of one row's metric. */
  cell: (row: Row, metric: string) => ReactNode
  testId: string
  rowTestId?: string
}) {
  return (
    <div className="card" data-testid={testId}>
      <h2>{title}</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>Value</th>
            <th className="num">Rows</th>
            {metrics.map((key) => (
              <th key={key} className="num">
                {metricInfo(key).label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index} data-testid={rowTestId}>
              <td>
                {row.value === null ? (
                  <span className="muted">(empty)</span>
                ) : (
                  <Text value={row.value} max={60} />
                )}
              </td>
              <td className="num">{formatCount(row.rows)}</td>
              {metrics.map((key) => cell(row, key))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
