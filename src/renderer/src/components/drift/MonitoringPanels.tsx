// The answers before the columns: the model's performance (measured, or estimated by CBPE),
// target drift, multivariate drift and a production log's agreement, latency and value.
import type { DriftReport, MetricThreshold } from '../../../../api/drift'
import { formatStatistic } from '../../lib/charts/drift-format'
import { Text } from '../Text'

const METRIC_LABELS: Record<string, string> = {
  accuracy: 'Accuracy',
  f1: 'F1',
  rocAuc: 'ROC AUC',
  mae: 'MAE',
  rmse: 'RMSE',
}
const label = (metric: string): string => METRIC_LABELS[metric] ?? metric
const shown = (metrics: Record<string, number | null>): string[] =>
  Object.keys(metrics).filter((m) => m !== 'labelled')

function bounds(t: MetricThreshold | undefined): string {
  if (!t) return '—'
  if (t.rule === 'absolute-drop') return `drop ≤ ${formatStatistic(t.drop)}`
  return `${formatStatistic(t.lower)} – ${formatStatistic(t.upper)}`
}

function MetricsTable({
  reference,
  current,
  currentTitle,
  thresholds,
  degraded,
  testId,
}: {
  reference: Record<string, number | null>
  current: Record<string, number | null>
  currentTitle: string
  thresholds: Record<string, MetricThreshold>
  degraded: string[]
  testId: string
}) {
  return (
    <table className="data compact" data-testid={testId}>
      <thead>
        <tr>
          <th>Metric</th>
          <th className="num">Reference</th>
          <th className="num">{currentTitle}</th>
          <th className="num">Change</th>
          <th>Bounds</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {shown(current).map((m) => {
          const a = reference[m] ?? null
          const b = current[m] ?? null
          const bad = degraded.includes(m)
          return (
            <tr key={m} data-metric={m} className={bad ? 'drifted' : undefined}>
              <td>{label(m)}</td>
              <td className="num">{formatStatistic(a)}</td>
              <td className="num">{formatStatistic(b)}</td>
              <td className="num">{a === null || b === null ? '—' : formatStatistic(b - a)}</td>
              <td className="small">{bounds(thresholds[m])}</td>
              <td>
                <span className={bad ? 'drift-pill drifted' : 'drift-pill calm'}>
                  {bad ? 'degraded' : 'ok'}
                </span>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function WindowsTable({
  windows,
  testId,
}: {
  windows: {
    label: string
    rows: number
    metrics: Record<string, number | null>
    degraded: boolean
  }[]
  testId: string
}) {
  const [first] = windows
  if (!first) return null
  const names = shown(first.metrics)
  return (
    <>
      <h3>Per window</h3>
      <table className="data compact" data-testid={testId}>
        <thead>
          <tr>
            <th>Window</th>
            <th className="num">Rows</th>
            {names.map((m) => (
              <th key={m} className="num">
                {label(m)}
              </th>
            ))}
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={w.label}>
              <td>
                <Text value={w.label} max={40} />
              </td>
              <td className="num">{w.rows.toLocaleString('en-US')}</td>
              {names.map((m) => (
                <td key={m} className="num">
                  {formatStatistic(w.metrics[m] ?? null)}
                </td>
              ))}
              <td>{w.degraded ? 'degraded' : 'ok'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function PerformancePanel({ report }: { report: DriftReport }) {
  const p = report.performance
  const e = report.estimatedPerformance
  if (p)
    return (
      <div className={`card ${p.degraded ? 'drifted' : ''}`} data-testid="drift-performance">
        <header className="drift-card-header">
          <h2>
            Performance · labels in “<Text value={p.labelColumn} max={40} />”
          </h2>
          <span className={p.degraded ? 'drift-pill drifted' : 'drift-pill calm'}>
            {p.degraded ? 'degraded' : 'stable'}
          </span>
        </header>
        <p data-testid="drift-performance-why">
          <Text value={p.why} max={400} />
        </p>
        <MetricsTable
          reference={p.reference}
          current={p.current}
          currentTitle="Current"
          thresholds={p.thresholds}
          degraded={p.degradedMetrics}
          testId="drift-performance-table"
        />
        <WindowsTable windows={p.windows} testId="drift-performance-windows" />
      </div>
    )
  if (e)
    return (
      <div className={`card ${e.degraded ? 'drifted' : ''}`} data-testid="drift-estimated">
        <header className="drift-card-header">
          <h2>Estimated performance (CBPE) · current data has no labels</h2>
          <span className={e.degraded ? 'drift-pill drifted' : 'drift-pill calm'}>
            {e.degraded ? 'degraded' : 'stable'}
          </span>
        </header>
        <p>
          <Text value={e.why} max={500} />
        </p>
        <MetricsTable
          reference={e.reference}
          current={e.metrics}
          currentTitle="Estimated"
          thresholds={e.thresholds}
          degraded={e.degradedMetrics}
          testId="drift-estimated-table"
        />
        <WindowsTable windows={e.windows} testId="drift-estimated-windows" />
      </div>
    )
  if (report.performanceNote)
    return (
      <div className="card" data-testid="drift-performance-note">
        <p className="muted">
          <Text value={report.performanceNote} max={300} />
        </p>
      </div>
    )
  return null
}

export function TargetAndMultivariate({ report }: { report: DriftReport }) {
  const t = report.target
  const m = report.multivariate
  if (!t && !m && !report.multivariateNote) return null
  return (
    <div className="card" data-testid="drift-target-multivariate">
      {t && (
        <section data-testid="drift-target">
          <header className="drift-card-header">
            <h2>
              Target drift · <Text value={t.column} max={40} />
            </h2>
            <span className={t.drifted ? 'drift-pill drifted' : 'drift-pill calm'}>
              {t.drifted ? 'drifted' : 'stable'}
            </span>
          </header>
          <p className="small">
            <Text value={t.why} max={400} /> The label is not counted among the features.
          </p>
        </section>
      )}
      {m && (
        <section data-testid="drift-multivariate">
          <header className="drift-card-header">
            <h2>Multivariate drift · PCA reconstruction error</h2>
            <span className={m.drifted ? 'drift-pill drifted' : 'drift-pill calm'}>
              {m.drifted ? 'drifted' : 'stable'}
            </span>
          </header>
          <p className="small">
            <Text value={m.why} max={500} />
          </p>
          {m.windows.length > 0 && (
            <table className="data compact" data-testid="drift-multivariate-windows">
              <thead>
                <tr>
                  <th>Window</th>
                  <th className="num">Error</th>
                  <th>Verdict</th>
                </tr>
              </thead>
              <tbody>
                {m.windows.map((w) => (
                  <tr key={w.label}>
                    <td>
                      <Text value={w.label} max={40} />
                    </td>
                    <td className="num">{formatStatistic(w.error)}</td>
                    <td>{w.drifted ? 'drifted' : 'ok'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {!m && report.multivariateNote && (
        <p className="muted small">
          <Text value={report.multivariateNote} max={300} />
        </p>
      )}
    </div>
  )
}

export function ProductionLogPanel({ report }: { report: DriftReport }) {
  const log = report.log
  if (!log) return null
  const rows = [log.overall, ...log.windows]
  return (
    <div className="card" data-testid="drift-log">
      <h2>Production log</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>Window</th>
            <th className="num">Rows</th>
            <th className="num">Served = recomputed</th>
            <th className="num">Latency p50</th>
            <th className="num">Latency p95</th>
            <th className="num">Business value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <tr key={w.label}>
              <td>
                <Text value={w.label} max={40} />
              </td>
              <td className="num">{w.rows.toLocaleString('en-US')}</td>
              <td className="num">{formatStatistic(w.agreement)}</td>
              <td className="num">{formatStatistic(w.latencyP50)}</td>
              <td className="num">{formatStatistic(w.latencyP95)}</td>
              <td className="num">{formatStatistic(w.valueTotal)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.notes.map((note) => (
        <p key={note} className="muted small">
          <Text value={note} max={300} />
        </p>
      ))}
    </div>
  )
}
