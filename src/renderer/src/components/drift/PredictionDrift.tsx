// Prediction drift: the model's outputs on reference vs current data, compared like the features,
// and the evaluation metrics over all current rows and per window when the data carries labels.
import type { DriftReport } from '../../../../api/drift'
import { formatStatistic } from '../../lib/charts/drift-format'
import { Text } from '../Text'
import { ColumnsTable } from './ColumnsTable'

/** Row counts as whole numbers; rates and errors as statistics. */
const formatMetric = (value: number | null): string =>
  value !== null && Number.isInteger(value) && Math.abs(value) >= 1
    ? value.toLocaleString('en-US')
    : formatStatistic(value)

export function PredictionDrift({
  report,
  selected,
  onSelect,
}: {
  report: DriftReport
  selected: string | null
  onSelect(name: string): void
}) {
  const prediction = report.prediction
  if (!prediction || !report.model) return null
  const windows = report.windows?.items.filter((window) => window.metrics) ?? []
  const metricNames = [...new Set(windows.flatMap((window) => Object.keys(window.metrics ?? {})))]
  const drifted = prediction.columns.filter((column) => column.drifted).length
  const overall = Object.entries(prediction.metrics ?? {})

  return (
    <div className="card" data-testid="drift-prediction">
      <header className="drift-card-header">
        <h2>
          Prediction drift · <Text value={report.model.name} max={60} /> v{report.model.version}
        </h2>
        <span className={drifted ? 'drift-pill drifted' : 'drift-pill calm'}>
          {drifted
            ? `${drifted} of ${prediction.columns.length} outputs drifted`
            : 'outputs stable'}
        </span>
      </header>
      {prediction.columns.length > 0 ? (
        <ColumnsTable
          columns={prediction.columns}
          selected={selected}
          onSelect={onSelect}
          testId="drift-prediction-table"
        />
      ) : (
        <p className="muted">The model produced no comparable outputs.</p>
      )}
      {overall.length > 0 && (
        <dl className="drift-overall-metrics" data-testid="drift-overall-metrics">
          {overall.map(([name, value]) => (
            <div key={name}>
              <dt>
                <Text value={name === 'labelled' ? 'labelled rows' : name} max={30} />
              </dt>
              <dd className="num">{formatMetric(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {prediction.metricsNote && report.windows && (
        <p className="muted small" data-testid="drift-metrics-note">
          <Text value={prediction.metricsNote} max={300} />
        </p>
      )}
      {/* Without windows the note would promise a per-window table that never comes. */}
      {prediction.metricsNote && !report.windows && (
        <p className="muted small" data-testid="drift-metrics-note">
          {overall.length > 0 ? 'These metrics cover all current rows. ' : ''}Split the current data
          into time windows or chunks (under Options) to see the evaluation metrics of each window.
        </p>
      )}
      {windows.length > 0 && metricNames.length > 0 && (
        <>
          <h3>Metrics per window</h3>
          <table className="data compact" data-testid="drift-window-metrics">
            <thead>
              <tr>
                <th>Window</th>
                <th className="num">Rows</th>
                {metricNames.map((name) => (
                  <th key={name} className="num">
                    <Text value={name} max={30} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {windows.map((window) => (
                <tr key={window.index}>
                  <td>
                    <Text value={window.label} max={40} />
                  </td>
                  <td className="num">{window.rows}</td>
                  {metricNames.map((name) => (
                    <td key={name} className="num">
                      {formatMetric(window.metrics?.[name] ?? null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  )
}
