// Latency and resources of one run or of two side by side, with their single-row latency histograms.
import type { Latency } from '../../../../api/evaluation'
import { histogramBars } from '../../lib/charts/histogram'
import {
  betterSide,
  latencyBarGroups,
  latencyRows,
  type OperationalFigures,
} from '../../lib/charts/latency'
import { formatMs } from '../../lib/charts/metrics'
import { GroupedBarChart } from '../charts/GroupedBarChart'
import { palette, seriesColor } from '../../lib/charts/palette'
import { formatCount } from '../../lib/format'
import { HistogramChart } from '../charts/HistogramChart'

export interface LatencyRun {
  title: string
  color: string
  latency: Latency
  operational: OperationalFigures
}

export function LatencyTable({ runs, testId }: { runs: LatencyRun[]; testId: string }) {
  const rows = latencyRows(runs)
  return (
    <table className="data compact" data-testid={testId}>
      {runs.length > 1 && (
        <thead>
          <tr>
            <th />
            {runs.map((run) => (
              <th key={run.title} className="num">
                {run.title}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((row) => {
          const better = betterSide(row)
          return (
            <tr key={row.label}>
              <th className="key">{row.label}</th>
              {row.texts.map((text, index) => (
                <td key={index} className={better === index ? 'num better' : 'num'}>
                  {text}
                </td>
              ))}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export function LatencyHistogram({ run, testId }: { run: LatencyRun; testId: string }) {
  const bars = histogramBars(run.latency.histogram, ' ms')
  if (bars.length === 0) return <p className="muted">No latency sample.</p>
  return (
    <HistogramChart
      bars={bars}
      color={run.color}
      xTitle={`Single-row latency (ms), ${formatCount(run.latency.sampleRows)} rows sampled`}
      yTitle="Requests"
      testId={testId}
      label={`Latency histogram of ${run.title}`}
      logCounts
    />
  )
}

export const modelRun = (
  latency: Latency,
  operational: OperationalFigures,
  title = 'This version',
): LatencyRun => ({
  title,
  color: palette.model,
  latency,
  operational,
})

/** Single-row p50/p95/p99 of several runs side by side. */
export function LatencyComparison({ runs, testId }: { runs: LatencyRun[]; testId: string }) {
  const groups = latencyBarGroups(runs)
  return (
    <GroupedBarChart
      labels={groups.labels.map((name) => `${name} single row`)}
      series={groups.series.map((entry, index) => ({
        ...entry,
        color: runs[index]?.color ?? seriesColor(index),
      }))}
      yTitle="Latency"
      formatValue={formatMs}
      testId={testId}
      label="Single-row latency percentiles of each version"
    />
  )
}
