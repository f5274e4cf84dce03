// Drift per column over time windows as an HTML table of shaded cells (chartjs-chart-matrix is
// not installed; a table also reads well with a screen reader and copies into a spreadsheet).
import { useMemo } from 'react'
import type { DriftReport } from '../../../../api/drift'
import { formatShare, formatStatistic, testLabel } from '../../lib/charts/drift-format'
import { FULL_SHADE_AT, heatmapRows } from '../../lib/charts/drift-heatmap'
import { formatCount } from '../../lib/format'
import { Text } from '../Text'

export function DriftHeatmap({
  windows,
  columnOrder,
  onSelect,
}: {
  windows: NonNullable<DriftReport['windows']>
  columnOrder: string[]
  onSelect(name: string): void
}) {
  const items = windows.items
  const rows = useMemo(() => heatmapRows(items, columnOrder), [items, columnOrder])
  const tests = useMemo(() => {
    const byColumn = new Map<string, string | null>()
    for (const window of items)
      for (const column of window.columns)
        if (!byColumn.has(column.name)) byColumn.set(column.name, column.test)
    return byColumn
  }, [items])

  return (
    <div className="card" data-testid="drift-heatmap">
      <header className="drift-card-header">
        <h2>Drift over time</h2>
        <span className="muted small">
          {windows.by === 'time'
            ? `by ${windows.unit ?? 'window'} of ${windows.timestampColumn ?? 'timestamp'}`
            : `${items.length} equal chunks in row order`}
          {windows.rowsWithoutTimestamp > 0 &&
            ` · ${formatCount(windows.rowsWithoutTimestamp)} rows without a timestamp left out`}
        </span>
      </header>
      {items.length === 0 ? (
        <p className="muted">No window has rows.</p>
      ) : (
        <div className="heatmap-scroll">
          <table className="heatmap">
            <thead>
              <tr>
                <th className="heatmap-corner">Column</th>
                {items.map((window) => (
                  <th
                    key={window.index}
                    className="heatmap-window"
                    title={window.start ?? undefined}
                  >
                    <Text value={window.label} max={24} />
                    <div className="muted small">{formatCount(window.rows)} rows</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.column} data-testid="heatmap-row" data-column={row.column}>
                  <th className="heatmap-column">
                    <button type="button" className="link" onClick={() => onSelect(row.column)}>
                      <Text value={row.column} max={40} />
                    </button>
                  </th>
                  {row.cells.map((cell, i) => (
                    <td
                      key={items[i]?.index ?? i}
                      className={`heatmap-cell${cell.drifted ? ' drifted' : ''}`}
                      style={{ background: cell.background, color: cell.color }}
                      title={
                        cell.missing
                          ? 'not measured in this window'
                          : `${testLabel(tests.get(row.column) ?? null)} ${formatStatistic(cell.statistic)}${cell.drifted ? ' — drifted' : ''}`
                      }
                      data-testid="heatmap-cell"
                      data-drifted={cell.drifted ? 'yes' : 'no'}
                    >
                      {cell.missing ? '–' : formatStatistic(cell.statistic)}
                      {cell.drifted && (
                        <span className="heatmap-mark" aria-label="drifted">
                          {' '}
                          ●
                        </span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
              <tr className="heatmap-share">
                <th className="heatmap-column muted">Drifted share</th>
                {items.map((window) => (
                  <td key={window.index} className={window.datasetDrift ? 'drifted' : undefined}>
                    {formatShare(window.driftShare)}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small heatmap-legend">
        Shade: the statistic relative to its threshold — blue below, red at or above, darkest at{' '}
        {FULL_SHADE_AT}× the threshold. ● marks a drifted cell.
      </p>
    </div>
  )
}
