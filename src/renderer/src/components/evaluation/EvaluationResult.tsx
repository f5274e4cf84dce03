// A stored evaluation, drawn: metric cards, curves, confusion matrix, per-class and slice tables,
// business value, regression plots, latency and resources.
import { classLabel } from '../../../../api/display'
import { RetiredDatasetNote } from '../datasets/RetiredDatasetNote'
import type {
  ClassificationMetrics,
  Evaluation,
  EvaluationResult as Result,
} from '../../../../api/evaluation'
import { histogramBars } from '../../lib/charts/histogram'
import { formatMetric, formatMs, metricColumns } from '../../lib/charts/metrics'
import { palette } from '../../lib/charts/palette'
import {
  businessValueChart,
  calibrationSeries,
  predictedVsActual,
  prSeries,
  rocSeries,
} from '../../lib/charts/series'
import { formatCount, formatTime, shortHash } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { HistogramChart } from '../charts/HistogramChart'
import { LineChart } from '../charts/LineChart'
import { MatrixTable } from '../charts/MatrixTable'
import { SliceTable } from '../shared/SliceTable'
import { ReportDownloads } from '../ReportDownloads'
import { Text } from '../Text'
import { LatencyHistogram, LatencyTable, modelRun } from './LatencyPanel'
import { MetricCards } from './MetricCards'

const isClassification = (metrics: Result['metrics']): metrics is ClassificationMetrics =>
  'confusionMatrix' in metrics

/** Share of positive rows in the truth: the PR chart's no-skill line. */
function positiveShare(metrics: ClassificationMetrics, positive: string | null): number | null {
  if (positive === null) return null
  const index = metrics.labels.indexOf(positive)
  if (index < 0) return null
  const total = metrics.confusionMatrix.reduce(
    (sum, row) => sum + row.reduce((a, b) => a + b, 0),
    0,
  )
  const positives = (metrics.confusionMatrix[index] ?? []).reduce((a, b) => a + b, 0)
  return total > 0 ? positives / total : null
}

const unit = [0, 1] as [number, number]
const fixed2 = (value: number): string => value.toFixed(2)

export function EvaluationResultView({ evaluation }: { evaluation: Evaluation }) {
  const { result } = evaluation
  return (
    <div className="result" data-testid="evaluation-result" data-evaluation-id={evaluation.id}>
      <header className="result-header">
        <h2>
          <a href={hrefFor('registry', evaluation.model, evaluation.version)}>
            <Text value={evaluation.model} max={80} /> v{evaluation.version}
          </a>{' '}
          on{' '}
          <a href={hrefFor('datasets', evaluation.dataset.id)}>
            <Text value={evaluation.dataset.name} max={80} />
          </a>
        </h2>
        <RetiredDatasetNote dataset={evaluation.dataset} />
        <ReportDownloads kind="evaluation" id={evaluation.id} />
        <p className="muted small" data-testid="evaluation-facts">
          Evaluation #{evaluation.id} · {result.task} · {formatCount(result.rows)} of{' '}
          {formatCount(result.datasetRows)} rows
          {result.positiveLabel !== null && (
            <>
              {' '}
              · positive class <Text value={result.positiveLabel} max={40} />
            </>
          )}
          {evaluation.mapping.label && (
            <>
              {' '}
              · label column <Text value={evaluation.mapping.label} max={60} />
            </>
          )}{' '}
          · columns by {mappingSourceText[evaluation.mapping.source]} · onnxruntime{' '}
          {evaluation.onnxruntimeVersion} · dataset sha256{' '}
          <span className="mono">{shortHash(evaluation.dataset.sha256)}</span> ·{' '}
          {formatTime(evaluation.createdAt)} by <Text value={evaluation.createdBy} max={40} />
        </p>
        <RowNotes result={result} />
      </header>

      <MetricCards task={result.task} metrics={result.metrics} reasons={result.reasons} />

      {isClassification(result.metrics) ? (
        <ClassificationCharts result={result} metrics={result.metrics} />
      ) : (
        <RegressionCharts result={result} />
      )}

      {result.businessValue && <BusinessValuePanel value={result.businessValue} />}

      {result.slices && <SliceMetrics slices={result.slices} />}

      <div className="grid two">
        <div className="card">
          <h2>Latency and resources</h2>
          <LatencyTable
            runs={[modelRun(result.latency, result.operational)]}
            testId="latency-table"
          />
          <p className="muted small">
            Batches of {formatCount(result.latency.batch.size)} rows; single-row latency measured on{' '}
            {formatCount(result.latency.sampleRows)} rows. Reading the data took{' '}
            {formatMs(result.operational.readMs)}; the whole run{' '}
            {formatMs(result.operational.totalMs)}.
          </p>
        </div>
        <div className="card">
          <h2>Single-row latency</h2>
          <LatencyHistogram
            run={modelRun(result.latency, result.operational)}
            testId="chart-latency"
          />
        </div>
      </div>
    </div>
  )
}

const mappingSourceText: Record<Evaluation['mapping']['source'], string> = {
  feature_names: "the model's feature names",
  input_names: 'input names',
  numeric_columns: 'numeric columns in file order',
  explicit: 'the mapping given',
  saved: "the model's saved mapping",
}

function RowNotes({ result }: { result: Result }) {
  const notes: string[] = []
  if (result.rowsWithoutLabel > 0)
    notes.push(
      `${formatCount(result.rowsWithoutLabel)} rows have no label and are left out of the metrics.`,
    )
  if (result.nanOutputRows > 0)
    notes.push(`${formatCount(result.nanOutputRows)} rows where the model returned NaN.`)
  const all = [...notes, ...result.warnings]
  if (all.length === 0) return null
  return (
    <ul className="warnings" data-testid="evaluation-warnings">
      {all.map((note, index) => (
        <li key={index}>
          <Text value={note} max={400} />
        </li>
      ))}
    </ul>
  )
}

function ClassificationCharts({
  result,
  metrics,
}: {
  result: Result
  metrics: ClassificationMetrics
}) {
  const { charts } = result
  // Curves of a class are named by the model's class_names, like the matrix and the table.
  const named = (curves: typeof charts.roc): typeof charts.roc =>
    curves.map((curve) => ({ ...curve, label: classLabel(curve.label, result.classNames) }))
  const roc = rocSeries(named(charts.roc))
  const pr = prSeries(
    named(charts.pr),
    charts.pr.length === 1 ? positiveShare(metrics, result.positiveLabel) : null,
  )
  const scores = charts.scoreHistogram ? histogramBars(charts.scoreHistogram) : []
  return (
    <>
      <div className="grid two">
        <div className="card">
          <h2>ROC curve</h2>
          {roc.length ? (
            <LineChart
              series={roc}
              xTitle="False positive rate"
              yTitle="True positive rate"
              xRange={unit}
              yRange={unit}
              square
              testId="chart-roc"
              label="ROC curve"
              formatX={fixed2}
              formatY={fixed2}
            />
          ) : (
            <NoChart reason={result.reasons.rocAuc} />
          )}
        </div>
        <div className="card">
          <h2>Precision–recall curve</h2>
          {pr.length ? (
            <LineChart
              series={pr}
              xTitle="Recall"
              yTitle="Precision"
              xRange={unit}
              yRange={unit}
              square
              testId="chart-pr"
              label="Precision-recall curve"
              formatX={fixed2}
              formatY={fixed2}
            />
          ) : (
            <NoChart reason={result.reasons.prAuc} />
          )}
        </div>
      </div>
      {(charts.calibration || scores.length > 0) && (
        <div className="grid two">
          <div className="card">
            <h2>Calibration</h2>
            {charts.calibration ? (
              <LineChart
                series={calibrationSeries(charts.calibration)}
                xTitle="Mean predicted probability"
                yTitle="Fraction of positives"
                xRange={unit}
                yRange={unit}
                square
                testId="chart-calibration"
                label="Calibration curve"
                formatX={fixed2}
                formatY={fixed2}
              />
            ) : (
              <NoChart
                reason={
                  result.reasons.brier ??
                  'Calibration needs the probability of a binary positive class.'
                }
              />
            )}
          </div>
          <div className="card">
            <h2>Scores</h2>
            {scores.length > 0 ? (
              <HistogramChart
                bars={scores}
                color={palette.model}
                xTitle="Probability of the positive class"
                testId="chart-scores"
                label="Histogram of positive-class probabilities"
              />
            ) : (
              <NoChart reason="A histogram of scores needs the probability of a binary positive class." />
            )}
          </div>
        </div>
      )}
      <div className="grid two">
        <div className="card">
          <h2>Confusion matrix</h2>
          <MatrixTable
            matrix={metrics.confusionMatrix}
            labels={metrics.labels.map((label) => classLabel(label, result.classNames))}
            rowTitle="True"
            columnTitle="Predicted"
            normalise="row"
            testId="confusion-matrix"
          />
          <p className="muted small">Shading: share of each true class (row).</p>
        </div>
        <div className="card">
          <h2>Per class</h2>
          <PerClassTable result={result} metrics={metrics} />
        </div>
      </div>
    </>
  )
}

function PerClassTable({ result, metrics }: { result: Result; metrics: ClassificationMetrics }) {
  const total = result.perClass.reduce((sum, row) => sum + row.support, 0)
  const averages = [
    {
      name: 'Macro average',
      p: metrics.precisionMacro,
      r: metrics.recallMacro,
      f: metrics.f1Macro,
    },
    {
      name: 'Weighted average',
      p: metrics.precisionWeighted,
      r: metrics.recallWeighted,
      f: metrics.f1Weighted,
    },
  ]
  return (
    <table className="data compact" data-testid="per-class">
      <thead>
        <tr>
          <th>Class</th>
          <th className="num">Precision</th>
          <th className="num">Recall</th>
          <th className="num">F1</th>
          <th className="num">Support</th>
        </tr>
      </thead>
      <tbody>
        {result.perClass.map((row) => (
          <tr key={row.label}>
            <td>
              <Text value={classLabel(row.label, result.classNames)} max={60} />
              {result.classNames?.[row.label] !== undefined && (
                <span className="muted small" data-testid="per-class-label">
                  {' '}
                  (label <Text value={row.label} max={30} />)
                </span>
              )}
              {row.label === result.positiveLabel && (
                <span className="muted small"> (positive)</span>
              )}
            </td>
            <td className="num">{formatMetric('precision', row.precision)}</td>
            <td className="num">{formatMetric('recall', row.recall)}</td>
            <td className="num">{formatMetric('f1', row.f1)}</td>
            <td className="num">{formatCount(row.support)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        {averages.map((average) => (
          <tr key={average.name} data-testid="per-class-average">
            <th>{average.name}</th>
            <td className="num">{formatMetric('precisionMacro', average.p)}</td>
            <td className="num">{formatMetric('recallMacro', average.r)}</td>
            <td className="num">{formatMetric('f1Macro', average.f)}</td>
            <td className="num">{formatCount(total)}</td>
          </tr>
        ))}
      </tfoot>
    </table>
  )
}

function RegressionCharts({ result }: { result: Result }) {
  const { charts } = result
  const scatter = charts.predictedVsActual
    ? predictedVsActual(charts.predictedVsActual.actual, charts.predictedVsActual.predicted)
    : null
  const residuals = charts.residualHistogram ? histogramBars(charts.residualHistogram) : []
  return (
    <div className="grid two">
      <div className="card">
        <h2>Predicted vs actual</h2>
        {scatter && scatter.points.length ? (
          <LineChart
            series={[
              { label: 'Rows', points: scatter.points, color: palette.model, dotsOnly: true },
              ...(scatter.identity
                ? [
                    {
                      label: 'Predicted = actual',
                      points: scatter.identity,
                      color: palette.reference,
                      reference: true,
                    },
                  ]
                : []),
            ]}
            xTitle="Actual"
            yTitle="Predicted"
            square
            testId="chart-predicted-actual"
            label="Predicted against actual values"
          />
        ) : (
          <NoChart reason="No rows with both an actual and a predicted value." />
        )}
        {charts.predictedVsActual && charts.predictedVsActual.actual.length < result.rows && (
          <p className="muted small">
            A sample of {formatCount(charts.predictedVsActual.actual.length)} of{' '}
            {formatCount(result.rows)} rows.
          </p>
        )}
      </div>
      <div className="card">
        <h2>Residuals</h2>
        {residuals.length ? (
          <HistogramChart
            bars={residuals}
            color={palette.model}
            xTitle="Actual − predicted"
            testId="chart-residuals"
            label="Histogram of residuals"
          />
        ) : (
          <NoChart reason="No residuals." />
        )}
      </div>
    </div>
  )
}

function NoChart({ reason }: { reason: string | undefined }) {
  return (
    <p className="muted no-chart">
      <Text value={reason ?? 'Not available for this evaluation.'} max={300} />
    </p>
  )
}

function BusinessValuePanel({ value }: { value: NonNullable<Result['businessValue']> }) {
  const chart = businessValueChart(value)
  const money = (amount: number): string =>
    amount
      .toLocaleString('en-US', { maximumFractionDigits: Math.abs(amount) < 100 ? 2 : 0 })
      .replace(/^-/, '−')
  const { tp, fp, tn, fn } = value.costMatrix
  return (
    <div className="card" data-testid="business-value">
      <h2>Business value</h2>
      <div className="business-layout">
        <div className="business-facts">
          <dl className="facts-list">
            <dt>Value per row</dt>
            <dd>
              <table className="cost-table">
                <tbody>
                  <tr>
                    <td>TP {money(tp)}</td>
                    <td>FP {money(fp)}</td>
                  </tr>
                  <tr>
                    <td>FN {money(fn)}</td>
                    <td>TN {money(tn)}</td>
                  </tr>
                </tbody>
              </table>
            </dd>
            <dt>At threshold 0.5</dt>
            <dd>{money(value.atDefault)} per 1,000 predictions</dd>
            <dt>Best threshold</dt>
            <dd data-testid="best-threshold">
              {value.bestThreshold === null ? (
                'never predict the positive class'
              ) : (
                <>
                  <strong>{value.bestThreshold.toFixed(3)}</strong> → {money(value.bestValue)} per
                  1,000 predictions
                </>
              )}
            </dd>
          </dl>
        </div>
        <div className="business-chart">
          <LineChart
            series={[
              { label: 'Value per 1,000 predictions', points: chart.line, color: palette.model },
              ...(chart.bestLine
                ? [
                    {
                      label: 'Best threshold',
                      points: chart.bestLine,
                      color: palette.best,
                      reference: true,
                    },
                  ]
                : []),
            ]}
            markers={[
              ...(chart.best
                ? [{ point: chart.best, label: 'Best threshold', color: palette.best }]
                : []),
              { point: chart.atDefault, label: 'Threshold 0.5', color: palette.reference },
            ]}
            xTitle="Threshold on the positive-class probability"
            yTitle="Value per 1,000 predictions"
            xRange={unit}
            testId="chart-business"
            label="Business value by threshold"
            formatX={fixed2}
            formatY={money}
          />
        </div>
      </div>
    </div>
  )
}

function SliceMetrics({ slices }: { slices: NonNullable<Result['slices']> }) {
  return (
    <SliceTable
      title={
        <>
          Slices by <Text value={slices.column} max={60} />
        </>
      }
      rows={slices.rows}
      metrics={metricColumns(slices.rows.map((row) => row.metrics))}
      cell={(row, key) => (
        <td key={key} className="num">
          {formatMetric(key, row.metrics[key] ?? null)}
        </td>
      )}
      testId="slices"
      rowTestId="slice-row"
    />
  )
}
