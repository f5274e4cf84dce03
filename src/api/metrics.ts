// Metrics by the names people use ("Log loss", "ROC AUC"), one list for the window, the CLI and the
// stored gate reports; grouped by task so a policy offers only the metrics its model can have.

export interface MetricInfo {
  key: string
  label: string
  greaterIsBetter: boolean
  /** Written as a percentage (MAPE). */
  percent?: boolean
  /** Milliseconds (latency). */
  ms?: boolean
}

export const classificationMetrics: MetricInfo[] = [
  { key: 'accuracy', label: 'Accuracy', greaterIsBetter: true },
  { key: 'precision', label: 'Precision', greaterIsBetter: true },
  { key: 'recall', label: 'Recall', greaterIsBetter: true },
  { key: 'f1', label: 'F1', greaterIsBetter: true },
  { key: 'rocAuc', label: 'ROC AUC', greaterIsBetter: true },
  { key: 'prAuc', label: 'PR AUC', greaterIsBetter: true },
  { key: 'logLoss', label: 'Log loss', greaterIsBetter: false },
  { key: 'brier', label: 'Brier score', greaterIsBetter: false },
  { key: 'precisionMacro', label: 'Precision (macro)', greaterIsBetter: true },
  { key: 'recallMacro', label: 'Recall (macro)', greaterIsBetter: true },
  { key: 'f1Macro', label: 'F1 (macro)', greaterIsBetter: true },
  { key: 'precisionWeighted', label: 'Precision (weighted)', greaterIsBetter: true },
  { key: 'recallWeighted', label: 'Recall (weighted)', greaterIsBetter: true },
  { key: 'f1Weighted', label: 'F1 (weighted)', greaterIsBetter: true },
]

export const regressionMetrics: MetricInfo[] = [
  { key: 'mae', label: 'MAE', greaterIsBetter: false },
  { key: 'rmse', label: 'RMSE', greaterIsBetter: false },
  { key: 'r2', label: 'R²', greaterIsBetter: true },
  { key: 'mape', label: 'MAPE', greaterIsBetter: false, percent: true },
]

const latencyMetrics: MetricInfo[] = [
  { key: 'latencyP95Ms', label: 'Latency p95', greaterIsBetter: false, ms: true },
  { key: 'latency.p95Ms', label: 'Latency p95', greaterIsBetter: false, ms: true },
  { key: 'p95Ms', label: 'Latency p95', greaterIsBetter: false, ms: true },
]

const byKey = new Map(
  [...classificationMetrics, ...regressionMetrics, ...latencyMetrics].map((info) => [
    info.key,
    info,
  ]),
)

export const metricInfo = (key: string): MetricInfo =>
  byKey.get(key) ?? { key, label: key, greaterIsBetter: true }

/** "Log loss" for `logLoss`; an unknown key is shown as given. */
export const metricLabel = (key: string): string => metricInfo(key).label

/**
 * The metrics a model of this task can be gated on; both lists when the task is unknown (a model
 * whose metadata says nothing and that was never evaluated).
 */
export function metricsOfTask(task: string | null | undefined): {
  classification: MetricInfo[]
  regression: MetricInfo[]
} {
  if (task === 'classification') return { classification: classificationMetrics, regression: [] }
  if (task === 'regression') return { classification: [], regression: regressionMetrics }
  return { classification: classificationMetrics, regression: regressionMetrics }
}

/** Whether the key is one of the metrics above (a latency figure included). */
export const isKnownMetric = (key: string): boolean => byKey.has(key)
