// Drift: a column's reference and current distributions as proportions, ready for overlaid bars:
// numeric bins on the same edges for both sides, or categories with the unseen ones flagged.
import { displayText } from '../../../../api/display'
import { edgeDecimals, formatEdge } from './histogram'

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
  for (const [i, high] of edges.entries()) {
    const low = edges[i - 1]
    if (low === undefined) continue
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

/** A category's share; the shapes were checked, so a missing one is an empty bar. */
const share = (shares: readonly number[], index: number): number => shares[index] ?? 0

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
        unseenSet.has(category) ||
        (counts.reference[index] === 0 && (counts.current[index] ?? 0) > 0),
      weight: share(reference.shares, index) + share(current.shares, index),
    }))
    // Unseen categories are the news: they always get a bar of their own.
    .sort((a, b) => Number(b.unseen) - Number(a.unseen) || b.weight - a.weight || a.index - b.index)
  const hasTail = otherReference > 0 || otherCurrent > 0
  const room = hasTail ? maxBars - 1 : maxBars
  const shown = order.length > room ? order.slice(0, maxBars - 1) : order
  const rest = order.slice(shown.length)
  const bars: CategoryBars = {
    labels: shown.map((entry) => displayText(entry.category, 40)),
    reference: shown.map((entry) => share(reference.shares, entry.index)),
    current: shown.map((entry) => share(current.shares, entry.index)),
    unseen: shown.map((entry) => entry.unseen),
    referenceTotal: reference.total,
    currentTotal: current.total,
    folded: rest.length,
  }
  if (rest.length > 0 || hasTail) {
    bars.labels.push(hasTail ? 'other categories' : `${rest.length} other categories`)
    bars.reference.push(
      rest.reduce(
        (sum, entry) => sum + share(reference.shares, entry.index),
        share(reference.shares, n),
      ),
    )
    bars.current.push(
      rest.reduce(
        (sum, entry) => sum + share(current.shares, entry.index),
        share(current.shares, n),
      ),
    )
    bars.unseen.push(rest.some((entry) => entry.unseen))
  }
  return bars
}
