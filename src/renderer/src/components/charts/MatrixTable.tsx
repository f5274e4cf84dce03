// A count matrix (confusion or label-flip) as an HTML table with shaded cells: chart.js has no
// matrix chart without a plugin, and a table keeps the counts readable and selectable.
import { displayText } from '../../../../api/display'
import { formatShare, heatmapCells, type Normalise } from '../../lib/charts/heatmap'
import { formatCount } from '../../lib/format'

export interface MatrixTableProps {
  matrix: number[][]
  labels: string[]
  rowTitle: string
  columnTitle: string
  normalise: Normalise
  disagreeOffDiagonal?: boolean
  testId: string
}

export function MatrixTable({
  matrix,
  labels,
  rowTitle,
  columnTitle,
  normalise,
  disagreeOffDiagonal,
  testId,
}: MatrixTableProps) {
  const cells = heatmapCells(matrix, normalise, disagreeOffDiagonal)
  const name = (index: number): string => displayText(labels[index] ?? String(index), 40)
  return (
    <table className="matrix" data-testid={testId}>
      <thead>
        <tr>
          <th className="corner" rowSpan={2}>
            {rowTitle} ↓
          </th>
          <th className="axis" colSpan={labels.length}>
            {columnTitle} →
          </th>
        </tr>
        <tr>
          {labels.map((_, j) => (
            <th key={j} scope="col">
              {name(j)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {cells.map((row, i) => (
          <tr key={i}>
            <th scope="row">{name(i)}</th>
            {row.map((cell, j) => (
              <td
                key={j}
                className={cell.diagonal ? 'diagonal' : undefined}
                style={{ background: cell.background, color: cell.color }}
                title={`${rowTitle} ${name(i)}, ${columnTitle.toLowerCase()} ${name(j)}: ${formatCount(cell.count)} rows (${formatShare(cell.share)} of ${normalise === 'row' ? 'the row' : 'all rows'})`}
                data-testid={`${testId}-cell`}
                data-count={cell.count}
              >
                <div className="count">{formatCount(cell.count)}</div>
                <div className="share">{formatShare(cell.share)}</div>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
