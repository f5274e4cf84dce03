// Column-profile figures: a box-and-whisker strip from the quantiles, and statistics written for people.

export interface QuantileStrip {
  /** Positions in percent of the strip's width, over [min, max]. */
  whiskerLow: number
  boxLow: number
  median: number
  boxHigh: number
  whiskerHigh: number
}

interface Quantiles {
  p5: number
  p25: number
  p50: number
  p75: number
  p95: number
}

/**
 * Where p5–p95 (whiskers), p25–p75 (box) and the median sit between the column's min and max;
 * null when there is nothing to draw (no quantiles, or a non-finite range).
 */
export function quantileStrip(
  min: number | null,
  max: number | null,
  q: Quantiles | null,
): QuantileStrip | null {
  if (!q || min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max))
    return null
  const span = max - min
  const at = (value: number): number => {
    if (span <= 0) return 50
    return Math.round(Math.min(100, Math.max(0, ((value - min) / span) * 100)) * 10) / 10
  }
  return {
    whiskerLow: at(q.p5),
    boxLow: at(q.p25),
    median: at(q.p50),
    boxHigh: at(q.p75),
    whiskerHigh: at(q.p95),
  }
}

/** A statistic: up to 4 significant decimals, thousands separated; dates for timestamp columns. */
export function formatStatistic(value: number | null | undefined, kind: string): string {
  if (value === null || value === undefined) return '—'
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞'
  if (kind === 'timestamp') {
    const date = new Date(value)
    if (Number.isNaN(date.getTime())) return String(value)
    const iso = date.toISOString()
    return iso.endsWith('T00:00:00.000Z')
      ? iso.slice(0, 10)
      : iso.replace('.000Z', 'Z').replace('T', ' ')
  }
  const magnitude = Math.abs(value)
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e12)) return value.toExponential(3)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  return value.toLocaleString('en-US', { maximumSignificantDigits: magnitude >= 1000 ? 8 : 4 })
}
