// Metric cards and tables: which metrics to show, their names for people, how to write the numbers.

import {
  classificationMetrics,
  isKnownMetric,
  metricInfo,
  regressionMetrics,
} from '../../../../api/metrics'

export { classificationMetrics, metricInfo, regressionMetrics }
export type { MetricInfo } from '../../../../api/metrics'

/** Every metric a gate rule can name. */
export const gateMetricKeys = [...classificationMetrics, ...regressionMetrics].map(
  (info) => info.key,
)

/** 4 decimals for scores in [-1, 2]; fewer for large values; exponent for the very small. */
export function formatMetric(key: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return 'n/a'
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞'
  if (metricInfo(key).percent) return `${(value * 100).toFixed(2)} %`
  if (metricInfo(key).ms) return formatMs(value)
  const magnitude = Math.abs(value)
  if (magnitude === 0) return '0'
  if (magnitude < 1e-4) return value.toExponential(2)
  if (magnitude < 10) return value.toFixed(4)
  if (magnitude < 1000) return value.toFixed(2)
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 })
}

/** A signed difference, "+0.0123"; coloured by whether it is an improvement. */
export function formatDelta(
  key: string,
  delta: number | null | undefined,
): { text: string; tone: 'better' | 'worse' | 'same' } {
  if (delta === null || delta === undefined || !Number.isFinite(delta))
    return { text: '—', tone: 'same' }
  if (delta === 0) return { text: '±0', tone: 'same' }
  const better = metricInfo(key).greaterIsBetter ? delta > 0 : delta < 0
  const text = formatMetric(key, Math.abs(delta))
  return { text: `${delta > 0 ? '+' : '−'}${text}`, tone: better ? 'better' : 'worse' }
}

export interface MetricCard {
  key: string
  label: string
  value: number | null
  text: string
  /** Why the value is missing (from the stored result), or null. */
  reason: string | null
}

const binaryTrio = ['precision', 'recall', 'f1']
const macroTrio = ['precisionMacro', 'recallMacro', 'f1Macro']

/**
 * Cards for the headline metrics of a result, in display order: accuracy, precision, recall and F1
 * of the positive class (binary) or their macro averages (multiclass), then the probability
 * metrics. Averages over classes live in the per-class table. A null with a reason is shown with
 * its reason.
 */
export function metricCards(
  task: 'classification' | 'regression',
  metrics: Record<string, unknown>,
  reasons: Record<string, string>,
): MetricCard[] {
  const valueOf = (key: string): number | null => {
    const raw = metrics[key]
    return typeof raw === 'number' ? raw : null
  }
  let keys: string[]
  if (task === 'regression') keys = regressionMetrics.map((info) => info.key)
  else {
    // Multiclass results carry nulls (with reasons) for the positive-class trio.
    const binary = binaryTrio.some((key) => valueOf(key) !== null)
    keys = ['accuracy', ...(binary ? binaryTrio : macroTrio), 'rocAuc', 'prAuc', 'logLoss', 'brier']
  }
  return keys
    .filter((key) => key in metrics || reasons[key] !== undefined)
    .map((key) => {
      const value = valueOf(key)
      return {
        key,
        label: metricInfo(key).label,
        value,
        text: formatMetric(key, value),
        reason: reasons[key] ?? null,
      }
    })
}

/** Metric keys present in any of the rows, in the display order above. */
export function metricColumns(rows: Array<Record<string, number | null>>): string[] {
  const present = new Set<string>()
  for (const row of rows)
    for (const [key, value] of Object.entries(row)) if (value !== null) present.add(key)
  const ordered = [...classificationMetrics, ...regressionMetrics]
    .map((info) => info.key)
    .filter((key) => present.has(key))
  const extra = [...present].filter((key) => !isKnownMetric(key)).sort()
  return [...ordered, ...extra]
}

/** "12.3 ms", "840 µs", "1.24 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 1 : 0)} µs`
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

export function formatRate(rowsPerSecond: number): string {
  if (!Number.isFinite(rowsPerSecond)) return '—'
  return `${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s`
}
