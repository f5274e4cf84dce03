// Latency and resource figures as rows for a table: one model, or champion and challenger side by side.
import { formatBytes } from '../format'
import { formatMs, formatRate } from './metrics'

export interface LatencyFigures {
  p50Ms: number
  p95Ms: number
  p99Ms: number
  meanMs: number
  sampleRows: number
  rowsPerSecond: number
  batch: { size: number; count: number; p50Ms: number; p95Ms: number; p99Ms: number }
  perRowInBatch: { p50Ms: number; p95Ms: number; p99Ms: number }
}

export interface OperationalFigures {
  modelLoadMs: number
  inferenceMs: number
  totalMs: number
  peakRssBytes: number
}

export interface FigureRow {
  label: string
  /** Raw value (for comparisons); lower is better for every row except throughput. */
  values: number[]
  texts: string[]
  lowerIsBetter: boolean
}

type Pair = { latency: LatencyFigures; operational: OperationalFigures }

/** The same rows for one or more runs (columns). */
export function latencyRows(runs: Pair[]): FigureRow[] {
  const row = (
    label: string,
    pick: (run: Pair) => number,
    format: (value: number) => string,
    lowerIsBetter = true,
  ): FigureRow => {
    const values = runs.map(pick)
    return { label, values, texts: values.map(format), lowerIsBetter }
  }
  return [
    row('Single row p50', (r) => r.latency.p50Ms, formatMs),
    row('Single row p95', (r) => r.latency.p95Ms, formatMs),
    row('Single row p99', (r) => r.latency.p99Ms, formatMs),
    row('Per row in batches (p50)', (r) => r.latency.perRowInBatch.p50Ms, formatMs),
    row('Batch p95', (r) => r.latency.batch.p95Ms, formatMs),
    row('Throughput', (r) => r.latency.rowsPerSecond, formatRate, false),
    row('Model load', (r) => r.operational.modelLoadMs, formatMs),
    row('Inference total', (r) => r.operational.inferenceMs, formatMs),
    row('Peak memory (worker RSS)', (r) => r.operational.peakRssBytes, formatBytes),
  ]
}

/**
 * Which column is better in a two-column row: 0, 1, or null when equal or not comparable. Used
 * to bold the better side only when the gap is more than 5 %, so noise is not dressed as news.
 */
export function betterSide(row: FigureRow, margin = 0.05): 0 | 1 | null {
  if (row.values.length !== 2) return null
  const [a, b] = row.values
  if (a === undefined || b === undefined) return null
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null
  const gap = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))
  if (gap <= margin) return null
  const aBetter = row.lowerIsBetter ? a < b : a > b
  return aBetter ? 0 : 1
}

export interface LatencyBarGroup {
  /** "p50", "p95", "p99" */
  labels: string[]
  /** One series per run, in milliseconds. */
  series: Array<{ title: string; values: number[] }>
}

/** Single-row latency percentiles of each run, grouped for a side-by-side bar chart. */
export function latencyBarGroups(
  runs: Array<{ title: string; latency: LatencyFigures }>,
): LatencyBarGroup {
  return {
    labels: ['p50', 'p95', 'p99'],
    series: runs.map((run) => ({
      title: run.title,
      values: [run.latency.p50Ms, run.latency.p95Ms, run.latency.p99Ms],
    })),
  }
}
