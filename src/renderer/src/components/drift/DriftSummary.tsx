// The report's verdict at a glance: dataset drift or not, the share of drifted columns against
// its threshold, both datasets' sizes, and missing values as a signal of their own.
import { useMemo } from 'react'
import type { DriftReport } from '../../../../api/drift'
import { formatShare } from '../../lib/charts/drift-format'
import { datasetVerdict, missingSignals } from '../../lib/charts/drift-verdict'
import { formatCount, formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { ReportDownloads } from '../ReportDownloads'
import { Text } from '../Text'

export function DriftSummary({ report, runId }: { report: DriftReport; runId: number | null }) {
  const verdict = datasetVerdict({
    datasetDrift: report.datasetDrift,
    driftShare: report.driftShare,
    driftShareThreshold: report.settings.driftShare,
    driftedColumns: report.driftedColumns,
    testedColumns: report.testedColumns,
    columns: report.columns,
  })
  const missing = useMemo(
    () =>
      missingSignals(
        report.columns.map((column) => ({
          name: column.name,
          reference: column.reference.missingShare ?? 0,
          current: column.current.missingShare ?? 0,
        })),
      ),
    [report],
  )
  // A degraded model is never shown green, whatever the features say.
  const degraded = Boolean(report.performance?.degraded || report.estimatedPerformance?.degraded)
  const sharePercent = Math.min(100, Math.max(0, report.driftShare * 100))
  const thresholdPercent = Math.min(100, Math.max(0, report.settings.driftShare * 100))

  return (
    <div
      className={`card drift-summary ${verdict.drifted || degraded ? 'drifted' : 'calm'}`}
      data-testid="drift-summary"
    >
      <div className="drift-verdict">
        {report.headline && (report.performance || report.estimatedPerformance) && (
          <div
            className="drift-headline performance-headline"
            data-testid="drift-performance-headline"
            data-degraded={degraded ? 'yes' : 'no'}
          >
            {report.headline}
          </div>
        )}
        <div
          className="drift-headline"
          data-testid="drift-verdict"
          data-drift={verdict.drifted ? 'yes' : 'no'}
        >
          {verdict.headline}
        </div>
        <div data-testid="drift-share-text">{verdict.detail}</div>
        <div
          className="share-bar"
          role="meter"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(sharePercent)}
          aria-label="Share of drifted columns"
        >
          <div className="share-fill" style={{ width: `${sharePercent}%` }} />
          <div className="share-threshold" style={{ left: `${thresholdPercent}%` }} />
        </div>
        <div className="muted small">
          Threshold {formatShare(report.settings.driftShare)} of tested columns
          {runId !== null && <> · run #{runId}</>} · {formatTime(report.createdAt)} ·{' '}
          {(report.durationMs / 1000).toFixed(1)} s
        </div>
        {runId !== null && <ReportDownloads kind="drift" id={runId} />}
      </div>
      <dl className="facts-list drift-sides">
        <dt>Reference</dt>
        <dd data-testid="drift-reference-rows">
          <Text value={report.reference.name} max={60} /> · {formatCount(report.referenceRows)} rows
        </dd>
        <dt>Current</dt>
        <dd data-testid="drift-current-rows">
          <Text value={report.current.name} max={60} /> · {formatCount(report.currentRows)} rows
        </dd>
        {report.model && (
          <>
            <dt>Model</dt>
            <dd>
              <a
                href={hrefFor('registry', report.model.name, report.model.version)}
                data-testid="drift-model-link"
              >
                <Text value={report.model.name} max={60} /> v{report.model.version}
              </a>
            </dd>
          </>
        )}
        <dt>Missing values</dt>
        <dd data-testid="drift-missing">
          {missing.length === 0 ? (
            <span className="muted">none in either dataset</span>
          ) : (
            <ul className="plain-list">
              {missing.slice(0, 6).map((signal) => (
                <li key={signal.name} className={signal.noted ? 'missing-noted' : undefined}>
                  <Text value={signal.name} max={40} />: {formatShare(signal.reference)} →{' '}
                  {formatShare(signal.current)}
                  {signal.noted && ' (changed)'}
                </li>
              ))}
              {missing.length > 6 && <li className="muted">and {missing.length - 6} more</li>}
            </ul>
          )}
        </dd>
        {(report.onlyInReference.length > 0 || report.onlyInCurrent.length > 0) && (
          <>
            <dt>Not compared</dt>
            <dd className="small">
              {report.onlyInReference.length > 0 && (
                <div>
                  only in reference: <Text value={report.onlyInReference.join(', ')} max={200} />
                </div>
              )}
              {report.onlyInCurrent.length > 0 && (
                <div>
                  only in current: <Text value={report.onlyInCurrent.join(', ')} max={200} />
                </div>
              )}
            </dd>
          </>
        )}
        {report.skipped.length > 0 && (
          <>
            <dt>Skipped</dt>
            <dd className="small">
              {report.skipped.map((skip) => (
                <div key={skip.name}>
                  <Text value={skip.name} max={40} />: <Text value={skip.reason} max={160} />
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
    </div>
  )
}
