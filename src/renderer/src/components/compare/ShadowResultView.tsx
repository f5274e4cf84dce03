// A stored shadow comparison, drawn: agreement, flip matrix, probability-delta histogram, McNemar's
// test, metrics and slices side by side, both latency profiles, and the rows they disagree on most.
import { classLabel } from '../../../../api/display'
import { RetiredDatasetNote } from '../datasets/RetiredDatasetNote'
import type { ShadowComparison, ShadowResult } from '../../../../api/evaluation'
import { histogramBars } from '../../lib/charts/histogram'
import { formatDelta, formatMetric, metricColumns, metricInfo } from '../../lib/charts/metrics'
import { palette } from '../../lib/charts/palette'
import { formatCount, formatTime, shortHash } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { HistogramChart } from '../charts/HistogramChart'
import { MatrixTable } from '../charts/MatrixTable'
import { LatencyComparison, LatencyTable, type LatencyRun } from '../evaluation/LatencyPanel'
import { SliceTable } from '../shared/SliceTable'
import { ReportDownloads } from '../ReportDownloads'
import { Text } from '../Text'

interface Stat {
  key: string
  label: string
  text: string
  note?: string
}

const percent = (value: number | null): string =>
  value === null ? 'n/a' : `${(value * 100).toFixed(2)} %`
const plain = (value: number | null, digits = 4): string =>
  value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits)
const pValueText = (p: number): string => (p < 1e-4 ? p.toExponential(2) : p.toFixed(4))

/** The headline figures of a comparison, by task. */
export function shadowStats(result: ShadowResult): Stat[] {
  const stats: Stat[] = []
  if (result.task === 'classification') {
    stats.push({ key: 'agreementRate', label: 'Agreement', text: percent(result.agreementRate) })
  }
  stats.push({
    key: 'disagreements',
    label: result.task === 'classification' ? 'Disagreements' : 'Rows that differ',
    text: formatCount(result.disagreements),
    note: `of ${formatCount(result.rows)} rows`,
  })
  if (result.meanAbsDiffPositive !== null || result.maxAbsDiffPositive !== null) {
    stats.push({
      key: 'meanAbsDiffPositive',
      label: 'Mean |Δ p(positive)|',
      text: plain(result.meanAbsDiffPositive),
    })
    stats.push({
      key: 'maxAbsDiffPositive',
      label: 'Max |Δ p(positive)|',
      text: plain(result.maxAbsDiffPositive),
    })
  }
  if (result.meanTotalVariation !== null || result.maxTotalVariation !== null) {
    stats.push({
      key: 'meanTotalVariation',
      label: 'Mean total variation',
      text: plain(result.meanTotalVariation),
    })
    stats.push({
      key: 'maxTotalVariation',
      label: 'Max total variation',
      text: plain(result.maxTotalVariation),
    })
  }
  if (result.task === 'regression') {
    stats.push({
      key: 'meanAbsDiff',
      label: 'Mean |Δ prediction|',
      text: plain(result.meanAbsDiff),
    })
    stats.push({ key: 'rmseDiff', label: 'RMSE of Δ', text: plain(result.rmseDiff) })
    stats.push({ key: 'pearsonR', label: 'Pearson r', text: plain(result.pearsonR) })
  }
  if (result.mcnemar) {
    stats.push({
      key: 'mcnemarStatistic',
      // The exact test's statistic is the smaller of the two discordant counts, not a χ² value:
      // 0 means one side is never right where the other is wrong, hence the small p-value.
      label: 'McNemar exact: smaller count',
      text: formatCount(result.mcnemar.statistic),
      note: `${formatCount(result.mcnemar.b)} only champion right · ${formatCount(result.mcnemar.c)} only challenger right; the exact test counts the smaller of the two`,
    })
    stats.push({
      key: 'mcnemarPValue',
      label: 'McNemar p-value (exact)',
      text: pValueText(result.mcnemar.pValue),
      note:
        result.mcnemar.pValue < 0.05
          ? 'the difference in errors is significant at 5 %'
          : 'no significant difference at 5 %',
    })
  }
  return stats
}

export function ShadowResultView({ comparison }: { comparison: ShadowComparison }) {
  const { result, champion, challenger } = comparison
  const deltaBars = result.deltaHistogram ? histogramBars(result.deltaHistogram) : []
  const runs: LatencyRun[] = [
    {
      title: `Champion v${champion.version}`,
      color: palette.champion,
      latency: result.latency.champion,
      operational: result.operational.champion,
    },
    {
      title: `Challenger v${challenger.version}`,
      color: palette.challenger,
      latency: result.latency.challenger,
      operational: result.operational.challenger,
    },
  ]
  return (
    <div className="result" data-testid="shadow-result" data-comparison-id={comparison.id}>
      <header className="result-header">
        <h2>
          <a href={hrefFor('registry', champion.model, champion.version)}>
            <span className="swatch champion" aria-hidden="true" />
            <Text value={champion.model} max={60} /> v{champion.version}
          </a>{' '}
          vs{' '}
          <a href={hrefFor('registry', challenger.model, challenger.version)}>
            <span className="swatch challenger" aria-hidden="true" />
            <Text value={challenger.model} max={60} /> v{challenger.version}
          </a>{' '}
          on{' '}
          <a href={hrefFor('datasets', comparison.dataset.id)}>
            <Text value={comparison.dataset.name} max={60} />
          </a>
        </h2>
        <RetiredDatasetNote dataset={comparison.dataset} />
        <ReportDownloads kind="shadow" id={comparison.id} />
        <p className="muted small">
          Comparison #{comparison.id} · {result.task} · {formatCount(result.rows)} rows ·{' '}
          {result.labelsAvailable ? 'with labels' : 'no labels'} · onnxruntime{' '}
          {comparison.onnxruntimeVersion} · dataset sha256{' '}
          <span className="mono">{shortHash(comparison.dataset.sha256)}</span> ·{' '}
          {formatTime(comparison.createdAt)} by <Text value={comparison.createdBy} max={40} />
        </p>
        {result.warnings.length > 0 && (
          <ul className="warnings">
            {result.warnings.map((warning, index) => (
              <li key={index}>
                <Text value={warning} max={400} />
              </li>
            ))}
          </ul>
        )}
      </header>

      <div className="metric-cards" data-testid="shadow-stats">
        {shadowStats(result).map((stat) => (
          <div
            key={stat.key}
            className="metric-card"
            data-testid="shadow-stat"
            data-stat={stat.key}
          >
            <div className="metric-label">{stat.label}</div>
            <div className="metric-value">{stat.text}</div>
            {stat.note && <div className="metric-reason">{stat.note}</div>}
          </div>
        ))}
      </div>

      <div className="grid two">
        {result.flipMatrix.length > 0 && (
          <div className="card">
            <h2>Label flips</h2>
            <MatrixTable
              matrix={result.flipMatrix}
              labels={result.flipLabels.map((label) => classLabel(label, result.classNames))}
              rowTitle="Champion"
              columnTitle="Challenger"
              normalise="total"
              disagreeOffDiagonal
              testId="flip-matrix"
            />
            <p className="muted small">
              Diagonal: both agree. Orange: rows where the label flips. Shading: share of all rows.
            </p>
          </div>
        )}
        <div className="card">
          <h2>
            {result.task === 'regression' ? 'Prediction differences' : 'Probability differences'}
          </h2>
          {deltaBars.length ? (
            <HistogramChart
              bars={deltaBars}
              color={palette.challenger}
              xTitle={
                result.task === 'regression'
                  ? 'Challenger − champion prediction'
                  : 'Challenger − champion probability of the positive class'
              }
              testId="chart-delta"
              label="Histogram of differences between challenger and champion"
            />
          ) : (
            <p className="muted">No differences to draw.</p>
          )}
        </div>
      </div>

      <div className="grid two">
        {result.metrics && <MetricsSideBySide metrics={result.metrics} />}
        <div className="card">
          <h2>Latency and resources</h2>
          <LatencyTable runs={runs} testId="shadow-latency" />
          <LatencyComparison runs={runs} testId="chart-latency-comparison" />
        </div>
      </div>
      {result.slices && <SliceDeltas slices={result.slices} />}

      <TopDisagreements rows={namedRows(result)} task={result.task} />
    </div>
  )
}

function MetricsSideBySide({ metrics }: { metrics: NonNullable<ShadowResult['metrics']> }) {
  const keys = metricColumns([metrics.champion, metrics.challenger])
  return (
    <div className="card" data-testid="shadow-metrics">
      <h2>Metrics on the same rows</h2>
      <table className="data compact">
        <thead>
          <tr>
            <th>Metric</th>
            <th className="num">Champion</th>
            <th className="num">Challenger</th>
            <th className="num">Change</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const delta = formatDelta(key, metrics.delta[key])
            return (
              <tr key={key}>
                <th className="key">{metricInfo(key).label}</th>
                <td className="num">{formatMetric(key, metrics.champion[key])}</td>
                <td className="num">{formatMetric(key, metrics.challenger[key])}</td>
                <td className={`num delta ${delta.tone}`}>{delta.text}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function SliceDeltas({ slices }: { slices: NonNullable<ShadowResult['slices']> }) {
  return (
    <SliceTable
      title={
        <>
          Change by slice of <Text value={slices.column} max={60} />{' '}
          <span className="muted small">(challenger − champion)</span>
        </>
      }
      rows={slices.rows}
      metrics={metricColumns(slices.rows.map((row) => row.delta))}
      cell={(row, key) => {
        const delta = formatDelta(key, row.delta[key])
        return (
          <td
            key={key}
            className={`num delta ${delta.tone}`}
            title={`${formatMetric(key, row.champion[key])} → ${formatMetric(key, row.challenger[key])}`}
          >
            {delta.text}
          </td>
        )
      }}
      testId="shadow-slices"
    />
  )
}

const MAX_FEATURE_COLUMNS = 8

/** The disagreement rows with their labels named by the model's class_names. */
function namedRows(result: ShadowResult): ShadowResult['topDisagreements'] {
  const name = (label: string | null): string | null =>
    label === null ? null : classLabel(label, result.classNames)
  return result.topDisagreements.map((row) => ({
    ...row,
    actual: name(row.actual),
    championLabel: name(row.championLabel),
    challengerLabel: name(row.challengerLabel),
  }))
}

function TopDisagreements({
  rows,
  task,
}: {
  rows: ShadowResult['topDisagreements']
  task: ShadowResult['task']
}) {
  if (rows.length === 0) return null
  // The core ranks rows whose labels differ first, then rows that agree on the label but not on
  // the probability, each by the size of the difference: the list says so in two parts.
  const differ =
    task === 'regression' ? rows : rows.filter((row) => row.championLabel !== row.challengerLabel)
  const agree = task === 'regression' ? [] : rows.filter((row) => !differ.includes(row))
  const binary = rows.some((row) => row.championScore !== null)
  const measure =
    task === 'regression'
      ? '|Δ| is the size of the difference between the two predictions'
      : binary
        ? '|Δ p| is the size of the difference in the probability of the positive class'
        : '|Δ p| is the total variation distance between the two probability vectors'
  return (
    <div className="card" data-testid="top-disagreements">
      <h2>Rows where they differ most</h2>
      <p className="muted small" data-testid="disagreements-explained">
        Largest difference first; {measure}.
      </p>
      {differ.length > 0 && (
        <DisagreementTable
          title={
            task === 'regression'
              ? `The ${formatCount(differ.length)} rows whose predictions differ most`
              : `The ${formatCount(differ.length)} rows where they predict different labels`
          }
          rows={differ}
          task={task}
          testId="disagreement-rows"
        />
      )}
      {agree.length > 0 && (
        <DisagreementTable
          title={`${differ.length ? 'Then the' : 'The'} ${formatCount(agree.length)} rows with the same label but the most different probabilities`}
          rows={agree}
          task={task}
          testId="probability-gap-rows"
        />
      )}
    </div>
  )
}

function DisagreementTable({
  title,
  rows,
  task,
  testId,
}: {
  title: string
  rows: ShadowResult['topDisagreements']
  task: ShadowResult['task']
  testId: string
}) {
  const featureNames = [...new Set(rows.flatMap((row) => Object.keys(row.features)))]
  const shown = featureNames.slice(0, MAX_FEATURE_COLUMNS)
  const score = (value: number | null): string => (value === null ? '' : value.toFixed(3))
  const hasActual = rows.some((row) => row.actual !== null)
  return (
    <div data-testid={testId}>
      <h3>
        {title}
        {featureNames.length > shown.length && (
          <span className="muted small">
            {' '}
            (first {shown.length} of {featureNames.length} features)
          </span>
        )}
      </h3>
      <div className="scroll-x">
        <table className="data compact">
          <thead>
            <tr>
              <th className="num">Row</th>
              {hasActual && <th>Actual</th>}
              <th>Champion</th>
              <th>Challenger</th>
              <th className="num">{task === 'regression' ? '|Δ|' : '|Δ p|'}</th>
              {shown.map((name) => (
                <th key={name} className="num mono">
                  <Text value={name} max={24} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.row} data-testid="disagreement-row">
                <td className="num">{formatCount(row.row)}</td>
                {hasActual && (
                  <td>
                    <Text value={row.actual} max={30} />
                  </td>
                )}
                <td>
                  <Text value={row.championLabel ?? score(row.championScore)} max={30} />
                  {row.championLabel !== null && row.championScore !== null && (
                    <span className="muted small"> · p {score(row.championScore)}</span>
                  )}
                </td>
                <td>
                  <Text value={row.challengerLabel ?? score(row.challengerScore)} max={30} />
                  {row.challengerLabel !== null && row.challengerScore !== null && (
                    <span className="muted small"> · p {score(row.challengerScore)}</span>
                  )}
                </td>
                <td className="num" data-testid="disagreement-size">
                  {row.difference === null ? '—' : Math.abs(row.difference).toFixed(4)}
                </td>
                {shown.map((name) => (
                  <td key={name} className="num mono">
                    <Text value={row.features[name] ?? null} max={20} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
