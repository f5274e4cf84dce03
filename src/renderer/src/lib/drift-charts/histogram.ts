// A column's reference and current distributions as proportions, ready for overlaid bars:
// numeric bins on the same edges for both sides, or categories with the unseen ones flagged.
import { displayText } from '../../../../api/display'

export interface BinnedCounts {
  /**
   * Either counts.length + 1 edges (±Infinity allowed for open outer bins), or only the
   * counts.length − 1 inner edges of the PSI bins, whose outer bins are open-ended.
   */
  edges: readonly number[]
  reference: readonly number[]
  current: readonly number[]
}

export interface OverlayHistogram {
  labels: string[]
  /** Share of the reference's counted values in each bin; sums to 1 (or all 0 when empty). */
  reference: number[]
  current: number[]
  referenceTotal: number
  currentTotal: number
}

/**
 * Decimals enough that every finite edge reads within 1/20 of the narrowest bin of its true
 * value (so neighbouring edges never look alike), and no more; at most 6.
 */
export function edgeDecimals(edges: readonly number[]): number {
  let width = Infinity
  for (let i = 1; i < edges.length; i++) {
    const step = edges[i]! - edges[i - 1]!
    if (step > 0 && Number.isFinite(step)) width = Math.min(width, step)
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

export function formatEdge(value: number, decimals: number): string {
  if (value === Infinity) return '∞'
  if (value === -Infinity) return '−∞'
  const magnitude = Math.abs(value)
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-4)) return value.toExponential(2)
  return value.toFixed(decimals)
}

/** Counts → proportions of their total; all zeros when there is nothing counted. */
export function proportions(counts: readonly number[]): { shares: number[]; total: number } {
  let total = 0
  for (const count of counts) total += count
  return { shares: counts.map((count) => (total > 0 ? count / total : 0)), total }
}

/** Full edges for the bins: inner edges get open outer bins. Null when the shapes disagree. */
export function fullEdges(binned: BinnedCounts): number[] | null {
  const bins = binned.reference.length
  if (bins === 0 || binned.current.length !== bins) return null
  if (binned.edges.length === bins + 1) return [...binned.edges]
  if (binned.edges.length === bins - 1) return [-Infinity, ...binned.edges, Infinity]
  return null
}

/** Labels like `< 0.12`, `0.12 – 0.48`, `≥ 0.48`. */
export function binLabels(edges: readonly number[]): string[] {
  const decimals = edgeDecimals(edges)
  const labels: string[] = []
  for (let i = 0; i + 1 < edges.length; i++) {
    const low = edges[i]!
    const high = edges[i + 1]!
    if (low === -Infinity && high === Infinity) labels.push('all values')
    else if (low === -Infinity) labels.push(`< ${formatEdge(high, decimals)}`)
    else if (high === Infinity) labels.push(`≥ ${formatEdge(low, decimals)}`)
    else labels.push(`${formatEdge(low, decimals)} – ${formatEdge(high, decimals)}`)
  }
  return labels
}

/** Both sides on the same bins as proportions, so samples of different sizes compare. */
export function overlayHistogram(binned: BinnedCounts): OverlayHistogram | null {
  const edges = fullEdges(binned)
  if (!edges) return null
  const reference = proportions(binned.reference)
  const current = proportions(binned.current)
  return {
    labels: binLabels(edges),
    reference: reference.shares,
    current: current.shares,
    referenceTotal: reference.total,
    currentTotal: current.total,
  }
}

export interface CategoryCounts {
  categories: readonly string[]
  reference: readonly number[]
  current: readonly number[]
  /** Categories present in the current data but never in the reference. */
  unseen?: readonly string[]
  /** Counts of categories the engine already left out of `categories` (its long tail). */
  otherReference?: number
  otherCurrent?: number
}

export interface CategoryBars extends OverlayHistogram {
  /** True where the category never occurs in the reference. */
  unseen: boolean[]
  /** Categories folded into the last "other" bar to keep the chart readable. */
  folded: number
}

/** Most bars a category chart shows; the rest are summed into one "other categories" bar. */
export const MAX_CATEGORY_BARS = 24

/**
 * Grouped bars per category (largest combined share first), unseen categories flagged.
 * Category names are untrusted: they are escaped and shortened here for the chart's labels.
 */
export function categoryBars(
  counts: CategoryCounts,
  maxBars = MAX_CATEGORY_BARS,
): CategoryBars | null {
  const n = counts.categories.length
  if (n === 0 || counts.reference.length !== n || counts.current.length !== n) return null
  const otherReference = counts.otherReference ?? 0
  const otherCurrent = counts.otherCurrent ?? 0
  // Shares are of all rows, the engine's long tail included, so the bars match the data.
  const reference = proportions([...counts.reference, otherReference])
  const current = proportions([...counts.current, otherCurrent])
  const unseenSet = new Set(counts.unseen ?? [])
  const order = counts.categories
    .map((category, index) => ({
      category,
      index,
      unseen:
        unseenSet.has(category) || (counts.reference[index] === 0 && counts.current[index]! > 0),
      weight: reference.shares[index]! + current.shares[index]!,
    }))
    // Unseen categories are the news: they always get a bar of their own.
    .sort((a, b) => Number(b.unseen) - Number(a.unseen) || b.weight - a.weight || a.index - b.index)
  const hasTail = otherReference > 0 || otherCurrent > 0
  const room = hasTail ? maxBars - 1 : maxBars
  const shown = order.length > room ? order.slice(0, maxBars - 1) : order
  const rest = order.slice(shown.length)
  const bars: CategoryBars = {
    labels: shown.map((entry) => displayText(entry.category, 40)),
    reference: shown.map((entry) => reference.shares[entry.index]!),
    current: shown.map((entry) => current.shares[entry.index]!),
    unseen: shown.map((entry) => entry.unseen),
    referenceTotal: reference.total,
    currentTotal: current.total,
    folded: rest.length,
  }
  if (rest.length > 0 || hasTail) {
    bars.labels.push(hasTail ? 'other categories' : `${rest.length} other categories`)
    bars.reference.push(
      rest.reduce((sum, entry) => sum + reference.shares[entry.index]!, reference.shares[n]!),
    )
    bars.current.push(
      rest.reduce((sum, entry) => sum + current.shares[entry.index]!, current.shares[n]!),
    )
    bars.unseen.push(rest.some((entry) => entry.unseen))
  }
  return bars
}
