// Histograms: counts and edges turned into labelled bars, and raw values binned for drawing.

export interface Histogram {
  counts: number[]
  /** counts.length + 1 ascending edges. */
  edges: number[]
}

export interface HistogramBar {
  /** "0.10–0.20" */
  label: string
  low: number
  high: number
  count: number
}

/**
 * Decimals enough that every finite edge reads within 1/20 of the narrowest bin of its true
 * value (so neighbouring edges never look alike), and no more; at most 6. Infinite edges (the
 * open outer bins of a drift histogram) are skipped.
 */
export function edgeDecimals(edges: readonly number[]): number {
  let width = Infinity
  let previous: number | undefined
  for (const edge of edges) {
    const step = previous === undefined ? 0 : edge - previous
    if (step > 0 && Number.isFinite(step)) width = Math.min(width, step)
    previous = edge
  }
  if (!Number.isFinite(width)) return 2
  const finite = edges.filter((edge) => Number.isFinite(edge))
  let decimals = Math.max(0, Math.ceil(-Math.log10(width)))
  while (
    decimals < 6 &&
    finite.some((edge) => Math.abs(Number(edge.toFixed(decimals)) - edge) > width / 20)
  )
    decimals++
  return Math.min(6, decimals)
}

/**
 * A bin edge for every chart: negative numbers get a real minus sign so "−0.50–−0.25" reads as a
 * range, a rounded −0 loses its sign, open ends are ±∞, tiny and huge values use exponents.
 */
export function formatEdge(value: number, decimals: number): string {
  if (value === Infinity) return '∞'
  if (value === -Infinity) return '−∞'
  if (Number.isNaN(value)) return 'NaN'
  const magnitude = Math.abs(value)
  const text =
    magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-4)
      ? value.toExponential(2)
      : value.toFixed(decimals)
  return text.replace(/^-/, '−').replace(/^−(0\.?0*)$/, '$1')
}

/** One bar per bin, labelled by its range. Malformed input (edges ≠ counts + 1) gives no bars. */
export function histogramBars(histogram: Histogram, unit = ''): HistogramBar[] {
  const { counts, edges } = histogram
  if (counts.length === 0 || edges.length !== counts.length + 1) return []
  const decimals = edgeDecimals(edges)
  return counts.map((count, i) => {
    const low = edges[i] ?? NaN
    const high = edges[i + 1] ?? NaN
    return {
      label: `${formatEdge(low, decimals)}–${formatEdge(high, decimals)}${unit}`,
      low,
      high,
      count,
    }
  })
}

/**
 * Bins finite values into `bins` equal-width bins over [min, max] (or `range`); the last bin
 * holds its upper edge, as numpy's histogram does. Non-finite values are left out and counted.
 */
export function binValues(
  values: number[],
  bins: number,
  range?: [number, number],
): Histogram & { skipped: number } {
  let low = range ? range[0] : Infinity
  let high = range ? range[1] : -Infinity
  let skipped = 0
  if (!range) {
    for (const value of values) {
      if (!Number.isFinite(value)) continue
      if (value < low) low = value
      if (value > high) high = value
    }
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    return { counts: [], edges: [], skipped: values.length }
  }
  if (high === low) {
    // One value: a single bin of width 1 around it, so the bar has somewhere to stand.
    low -= 0.5
    high += 0.5
  }
  const count = Math.max(1, Math.floor(bins))
  const width = (high - low) / count
  const edges = Array.from({ length: count + 1 }, (_, i) => (i === count ? high : low + i * width))
  const counts = new Array<number>(count).fill(0)
  for (const value of values) {
    if (!Number.isFinite(value) || value < low || value > high) {
      skipped++
      continue
    }
    const index = Math.min(count - 1, Math.floor((value - low) / width))
    counts[index] = (counts[index] ?? 0) + 1
  }
  return { counts, edges, skipped }
}
