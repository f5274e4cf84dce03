// The regression report: sklearn-equal MAE, RMSE, R², MAPE, a residual histogram and a
// predicted-vs-actual subsample for drawing.
import type { EvaluationResult, RegressionMetrics } from '../../api/evaluation'
import { histogram, regressionMetrics } from './metrics'

export interface RegressionReport {
  metrics: RegressionMetrics
  reasons: Record<string, string>
  charts: Pick<EvaluationResult['charts'], 'residualHistogram' | 'predictedVsActual'>
}

const KEYS = ['mae', 'rmse', 'r2', 'mape'] as const

/** Evenly spaced row indices, at most `max` of them, so a scatter plot stays drawable. */
export function sampleRows(n: number, max: number): Uint32Array {
  if (n <= max) return Uint32Array.from({ length: n }, (_, i) => i)
  return Uint32Array.from({ length: max }, (_, i) => Math.floor((i * n) / max))
}

export function regressionReport(
  actual: Float64Array,
  predicted: Float64Array,
  options: { nanRows: number; withCharts?: boolean },
): RegressionReport {
  const reasons: Record<string, string> = {}
  const empty = { mae: null, rmse: null, r2: null, mape: null }
  const charts: RegressionReport['charts'] = { residualHistogram: null, predictedVsActual: null }
  if (actual.length === 0) {
    for (const key of KEYS) reasons[key] = 'no rows'
    return { metrics: empty, reasons, charts }
  }
  if (options.nanRows > 0) {
    let nan = 0
    for (let i = 0; i < predicted.length; i++) if (Number.isNaN(predicted[i] ?? NaN)) nan++
    if (nan > 0) {
      for (const key of KEYS) reasons[key] = `${nan} row(s) have a NaN prediction`
      return { metrics: empty, reasons, charts }
    }
  }
  // An explicit NaN in the label column is not "infinite": say which rows make the metrics undefined.
  let nanTargets = 0
  for (let i = 0; i < actual.length; i++) if (Number.isNaN(actual[i] ?? NaN)) nanTargets++
  if (nanTargets > 0) {
    for (const key of KEYS) reasons[key] = `${nanTargets} row(s) have NaN as their target`
    return { metrics: empty, reasons, charts }
  }
  const m = regressionMetrics(actual, predicted)
  const metrics = {
    mae: Number.isFinite(m.mae) ? m.mae : null,
    rmse: Number.isFinite(m.rmse) ? m.rmse : null,
    r2: Number.isFinite(m.r2) ? m.r2 : null,
    mape: Number.isFinite(m.mape) ? m.mape : null,
  }
  for (const key of KEYS)
    if (metrics[key] === null) reasons[key] = 'not finite (an infinite prediction or target)'
  if (options.withCharts ?? true) {
    const residuals = new Float64Array(actual.length)
    for (let i = 0; i < actual.length; i++)
      residuals[i] = (actual[i] ?? NaN) - (predicted[i] ?? NaN)
    charts.residualHistogram = histogram(residuals, 30)
    const rows = sampleRows(actual.length, 2000)
    charts.predictedVsActual = {
      actual: Array.from(rows, (r) => actual[r] ?? 0),
      predicted: Array.from(rows, (r) => predicted[r] ?? 0),
    }
  }
  return { metrics, reasons, charts }
}
