// Curves (ROC, PR, calibration, business value, predicted vs actual) turned into drawable series.
import type { Curve } from '../../../../api/evaluation'
import { palette, seriesColor } from './palette'

export interface XYPoint {
  x: number
  y: number
}

export interface LineSeries {
  label: string
  points: XYPoint[]
  color: string
  /** Reference lines (chance, perfect calibration) are dashed and drawn without points. */
  reference?: boolean
  /** Draw each point as a dot (calibration bins carry meaning; curve samples do not). */
  showPoints?: boolean
  /** Dots without a line (scatter plots). */
  dotsOnly?: boolean
}

/** A finite number, and not a hole past the end of an array. */
const finite = (value: number | undefined): value is number =>
  value !== undefined && Number.isFinite(value)

/** Keeps at most `max` points, always the first and the last, evenly spaced in between. */
export function thinPoints<T>(points: T[], max: number): T[] {
  if (points.length <= max || max < 2) return points.slice()
  const kept: T[] = []
  const step = (points.length - 1) / (max - 1)
  for (let i = 0; i < max; i++) {
    const point = points[Math.round(i * step)]
    if (point !== undefined) kept.push(point)
  }
  return kept
}

function curvePoints(curve: Curve, max: number): XYPoint[] {
  const n = Math.min(curve.x.length, curve.y.length)
  const points: XYPoint[] = []
  for (let i = 0; i < n; i++) {
    const x = curve.x[i]
    const y = curve.y[i]
    if (finite(x) && finite(y)) points.push({ x, y })
  }
  return thinPoints(points, max)
}

const curveLabel = (curve: Curve, count: number, prefix: string): string =>
  count === 1 ? `${prefix} (positive: ${curve.label})` : `${curve.label} vs rest`

/** One line per curve (class), plus the chance diagonal. */
export function rocSeries(curves: Curve[], maxPoints = 400): LineSeries[] {
  const lines: LineSeries[] = curves.map((curve, index) => ({
    label: curveLabel(curve, curves.length, 'Model'),
    points: curvePoints(curve, maxPoints),
    color: seriesColor(index),
  }))
  if (lines.length === 0) return []
  lines.push({
    label: 'Chance',
    points: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
    color: palette.reference,
    reference: true,
  })
  return lines
}

/**
 * PR curves come from scikit-learn with recall falling; drawn as given. `positiveShare` (the
 * share of positive rows) is the no-skill line for a binary problem.
 */
export function prSeries(
  curves: Curve[],
  positiveShare: number | null,
  maxPoints = 400,
): LineSeries[] {
  const lines: LineSeries[] = curves.map((curve, index) => ({
    label: curveLabel(curve, curves.length, 'Model'),
    points: curvePoints(curve, maxPoints),
    color: seriesColor(index),
  }))
  if (lines.length > 0 && positiveShare !== null && Number.isFinite(positiveShare)) {
    lines.push({
      label: 'No skill',
      points: [
        { x: 0, y: positiveShare },
        { x: 1, y: positiveShare },
      ],
      color: palette.reference,
      reference: true,
    })
  }
  return lines
}

export interface CalibrationData {
  fractionPositive: number[]
  meanPredicted: number[]
  counts: number[]
}

/** The model's reliability points (empty bins left out) and the perfectly calibrated diagonal. */
export function calibrationSeries(calibration: CalibrationData): LineSeries[] {
  const points: XYPoint[] = []
  const n = Math.min(calibration.meanPredicted.length, calibration.fractionPositive.length)
  for (let i = 0; i < n; i++) {
    const count = calibration.counts[i] ?? 1
    const x = calibration.meanPredicted[i]
    const y = calibration.fractionPositive[i]
    if (count > 0 && finite(x) && finite(y)) points.push({ x, y })
  }
  return [
    { label: 'Model', points, color: seriesColor(0), showPoints: true },
    {
      label: 'Perfectly calibrated',
      points: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      color: palette.reference,
      reference: true,
    },
  ]
}

export interface BusinessValueData {
  bestThreshold: number | null
  bestValue: number
  atDefault: number
  curve: Array<{ threshold: number; value: number }>
}

export interface BusinessValueChart {
  line: XYPoint[]
  /** Where the value is highest; null when predicting "never positive" is best. */
  best: XYPoint | null
  /** The value at the usual 0.5 threshold, for comparison. */
  atDefault: XYPoint
  /** A vertical line at the best threshold over the curve's value range, or null. */
  bestLine: [XYPoint, XYPoint] | null
}

/** The value curve sorted by threshold, with the best threshold and the default one marked. */
export function businessValueChart(data: BusinessValueData): BusinessValueChart {
  const line = data.curve
    .filter((point) => Number.isFinite(point.threshold) && Number.isFinite(point.value))
    .map((point) => ({ x: point.threshold, y: point.value }))
    .sort((a, b) => a.x - b.x)
  const best = data.bestThreshold === null ? null : { x: data.bestThreshold, y: data.bestValue }
  let low = Math.min(data.bestValue, data.atDefault)
  let high = Math.max(data.bestValue, data.atDefault)
  for (const point of line) {
    low = Math.min(low, point.y)
    high = Math.max(high, point.y)
  }
  const bestLine: [XYPoint, XYPoint] | null =
    best === null
      ? null
      : [
          { x: best.x, y: low },
          { x: best.x, y: high },
        ]
  return { line: thinPoints(line, 500), best, atDefault: { x: 0.5, y: data.atDefault }, bestLine }
}

/**
 * The highest point of a value curve (the first one on ties, as the lowest threshold that reaches
 * it); used when a curve has no stored best point.
 */
export function bestPoint(points: XYPoint[]): XYPoint | null {
  let best: XYPoint | null = null
  for (const point of points) if (best === null || point.y > best.y) best = point
  return best
}

export interface ScatterData {
  points: XYPoint[]
  /** The y = x line over the range of both axes. */
  identity: [XYPoint, XYPoint] | null
}

/** Predicted (y) against actual (x), with the line where they are equal. */
export function predictedVsActual(actual: number[], predicted: number[]): ScatterData {
  const points: XYPoint[] = []
  let low = Infinity
  let high = -Infinity
  const n = Math.min(actual.length, predicted.length)
  for (let i = 0; i < n; i++) {
    const x = actual[i]
    const y = predicted[i]
    if (!finite(x) || !finite(y)) continue
    points.push({ x, y })
    low = Math.min(low, x, y)
    high = Math.max(high, x, y)
  }
  return {
    points,
    identity: points.length
      ? [
          { x: low, y: low },
          { x: high, y: high },
        ]
      : null,
  }
}
