// Quantiles as numpy computes them by default (`np.quantile(a, q)`, method 'linear', which
// pandas `quantile` and `describe()` use too): virtual index (n - 1)·q, the two neighbouring
// order statistics, and numpy's `_lerp` between them (exact at both ends, monotonic).
// numpy 1.24's function_base.py: linear = (n - 1) * quantiles; _lerp(a, b, t) = a + (b - a)·t,
// or b - (b - a)·(1 - t) where t >= 0.5.

/** numpy's `_lerp`. */
export function lerp(a: number, b: number, t: number): number {
  const diff = b - a
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}

/**
 * np.quantile at q of n ascending values known by their order statistics: `at(rank)` gives the
 * rank-th smallest (0-based). Only the ranks `quantileRanks` names are asked for.
 */
export function quantileAt(n: number, q: number, at: (rank: number) => number): number {
  if (n === 0) return NaN
  const index = (n - 1) * q
  if (index >= n - 1) return at(n - 1)
  if (index <= 0) return at(0)
  const lo = Math.floor(index)
  return lerp(at(lo), at(lo + 1), index - lo)
}

/** The order statistics (0-based ranks, ascending, each once) quantileAt reads for each q. */
export function quantileRanks(n: number, qs: readonly number[]): number[] {
  const ranks = new Set<number>()
  for (const q of qs) {
    const index = (n - 1) * q
    const lo = Math.min(n - 1, Math.max(0, Math.floor(index)))
    ranks.add(lo)
    if (lo + 1 < n) ranks.add(lo + 1)
  }
  return [...ranks].sort((a, b) => a - b)
}

/** np.quantile(sorted, q) of an ascending, NaN-free sample; NaN when it is empty. */
export const quantileSorted = (sorted: ArrayLike<number>, q: number): number =>
  quantileAt(sorted.length, q, (rank) => sorted[rank] ?? NaN)

/**
 * np.quantile(values, qs) of a NaN-free sample in any order, without sorting it: the order
 * statistics the quantiles need are found by selection on a scratch copy (quickselect, splitting
 * the wanted ranks at each step), about 3n comparisons for five quantiles instead of a sort.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length
  if (n === 0) return qs.map(() => NaN)
  const scratch = Float64Array.from(values)
  const wanted = quantileRanks(n, qs)
  selectRanks(scratch, 0, n - 1, wanted, 0, wanted.length - 1)
  return qs.map((q) => quantileAt(n, q, (rank) => scratch[rank] ?? NaN))
}

/** np.quantile(values, q) of a NaN-free sample in any order. */
export const quantile = (values: ArrayLike<number>, q: number): number =>
  quantiles(values, [q])[0] ?? NaN

/**
 * Puts the order statistics `ranks[from..to]` (ascending) of a[left..right] at their sorted
 * positions: the middle rank is selected, then the ranks below and above it in the two sides.
 */
function selectRanks(
  a: Float64Array,
  left: number,
  right: number,
  ranks: readonly number[],
  from: number,
  to: number,
): void {
  while (from <= to) {
    const mid = (from + to) >>> 1
    const k = ranks[mid] ?? left
    select(a, left, right, k)
    // Lower ranks recursively, higher ones by looping.
    if (from < mid) selectRanks(a, left, k - 1, ranks, from, mid - 1)
    left = k + 1
    from = mid + 1
  }
}

/** Hoare quickselect: a[k] becomes the k-th smallest of a[left..right], smaller ones before it. */
function select(a: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    if (right - left < 16) {
      // Insertion sort on the short remainder.
      for (let i = left + 1; i <= right; i++) {
        const v = a[i] ?? 0
        let j = i - 1
        while (j >= left && (a[j] ?? 0) > v) {
          a[j + 1] = a[j] ?? 0
          j--
        }
        a[j + 1] = v
      }
      return
    }
    // Median of three as the pivot, moved to a[k].
    const m = (left + right) >>> 1
    if ((a[m] ?? 0) < (a[left] ?? 0)) swap(a, m, left)
    if ((a[right] ?? 0) < (a[left] ?? 0)) swap(a, right, left)
    if ((a[right] ?? 0) < (a[m] ?? 0)) swap(a, right, m)
    const pivot = a[m] ?? 0
    let i = left
    let j = right
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++
      while ((a[j] ?? 0) > pivot) j--
      if (i <= j) {
        swap(a, i, j)
        i++
        j--
      }
    }
    if (k <= j) right = j
    else if (k >= i) left = i
    else return
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] ?? 0
  a[i] = a[j] ?? 0
  a[j] = t
}
