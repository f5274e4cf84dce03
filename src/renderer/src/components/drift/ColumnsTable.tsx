// The columns of a drift report, most severe first: test, statistic, p-value, threshold, verdict
// and the engine's one-sentence reason. The column's name is a button that opens its chart.
import { useMemo } from 'react'
import type { ColumnDrift } from '../../../../api/drift'
import { formatPValue, formatStatistic, testLabel } from '../../lib/charts/drift-format'
import { sortBySeverity } from '../../lib/charts/drift-severity'
import { columnVerdictText } from '../../lib/charts/drift-verdict'
import { splitReasons } from '../../lib/charts/drift-reasons'
import { Text } from '../Text'

export function ColumnsTable({
  columns,
  selected,
  onSelect,
  testId,
}: {
  columns: ColumnDrift[]
  selected: string | null
  onSelect(name: string): void
  testId: string
}) {
  const sorted = useMemo(() => sortBySeverity(columns), [columns])
  const reasons = useMemo(() => splitReasons(columns), [columns])
  return (
    <>
      {reasons.shared.map((shared) => (
        <p key={shared.reason} className="muted small" data-testid="drift-shared-reason">
          Tests of <Text value={shared.columns.join(', ')} max={300} /> were chosen because{' '}
          <Text value={shared.reason} max={400} />.
        </p>
      ))}
      <table className="data compact drift-columns" data-testid={testId}>
        <thead>
          <tr>
            <th>Column</th>
            <th>Kind</th>
            <th>Test</th>
            <th className="num">Statistic</th>
            <th className="num">p-value</th>
            <th className="num">Threshold</th>
            <th>Verdict</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((column) => (
            <tr
              key={column.name}
              className={
                [column.drifted && 'drifted', column.name === selected && 'selected']
                  .filter(Boolean)
                  .join(' ') || undefined
              }
              data-testid="drift-column-row"
              data-column={column.name}
              data-drifted={column.drifted ? 'yes' : 'no'}
            >
              <td>
                {/* The name is the control: a button that shows the column's detail. */}
                <button
                  type="button"
                  className="link"
                  aria-pressed={column.name === selected}
                  onClick={() => onSelect(column.name)}
                  data-testid="drift-column-open"
                >
                  <Text value={column.name} max={60} />
                </button>
              </td>
              <td className="muted">{column.kind}</td>
              <td>{testLabel(column.test)}</td>
              <td className="num" data-testid="drift-statistic">
                {formatStatistic(column.statistic)}
              </td>
              <td className="num">{formatPValue(column.pValue)}</td>
              <td className="num">{formatStatistic(column.threshold)}</td>
              <td>
                <span className={column.drifted ? 'drift-pill drifted' : 'drift-pill calm'}>
                  {columnVerdictText(column)}
                </span>
              </td>
              <td className="wrap drift-why-cell">
                <Text value={reasons.rowText.get(column.name) ?? column.why} max={300} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
