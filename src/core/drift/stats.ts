// Pure drift statistics on sorted numeric samples and on category counts, each computed the
// way numpy/scipy compute it (same formulas, same summation order) so results agree to ~1e-12.
import { pairwiseSum, quantileSorted } from '../numeric'
import { chi2Sf, normalSf } from './special'

/** np.mean and np.std (population, ddof=0) of a sample. */
export function meanAndStd(values: Float64Array): { mean: number; std: number } {
  const n = values.length
  if (n === 0) return { mean: NaN, std: NaN }
  const mean = pairwiseSum(values) / n
  const sq = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const d = Math.abs((values[i] ?? 0) - mean)
    sq[i] = d * d
  }
  return { mean, std: Math.sqrt(pairwiseSum(sq) / n) }
}

/**
 * Inner bin edges for PSI and Jensen–Shannon: np.quantile(ref, np.linspace(0, 1, bins + 1)),
 * first and last dropped, duplicates removed. Bins are closed on the left and the two outer
 * bins are open-ended, so every value lands in exactly one of `edges.length + 1` bins.
 */
export function quantileEdges(sortedReference: Float64Array, bins: number): number[] {
  const step = 1 / bins
  const edges: number[] = []
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(sortedReference, k * step)
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e)
  }
  return edges
}

/** Number of elements strictly below x in a sorted array. */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Number of elements at or below x in a sorted array. */
export function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] ?? 0) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Counts per bin [e_{i-1}, e_i), with open outer bins, from a sorted sample. */
export function binCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts: number[] = []
  let below = 0
  for (const e of edges) {
    const upTo = lowerBound(sorted, e)
    counts.push(upTo - below)
    below = upTo
  }
  counts.push(sorted.length - below)
  return counts
}

export const PSI_FLOOR = 0.0001

/** PSI = Σ (p_cur − p_ref)·ln(p_cur/p_ref), proportions exactly 0 replaced by 0.0001. */
export function psi(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  const nr = referenceCounts.reduce((s, c) => s + c, 0)
  const nc = currentCounts.reduce((s, c) => s + c, 0)
  const terms = referenceCounts.map((r, i) => {
    let pr = r / nr
    let pc = (currentCounts[i] ?? 0) / nc
    if (pr === 0) pr = PSI_FLOOR
    if (pc === 0) pc = PSI_FLOOR
    return (pc - pr) * Math.log(pc / pr)
  })
  return pairwiseSum(terms)
}

const relEntr = (x: number, y: number): number =>
  x > 0 && y > 0 ? x * Math.log(x / y) : x === 0 && y >= 0 ? 0 : Infinity

/** scipy.spatial.distance.jensenshannon(p, q, base=2) on raw proportions (or counts). */
export function jensenShannon(p0: readonly number[], q0: readonly number[]): number {
  const ps = pairwiseSum(p0)
  const qs = pairwiseSum(q0)
  const p = p0.map((v) => v / ps)
  const q = q0.map((v) => v / qs)
  const m = p.map((v, i) => (v + (q[i] ?? 0)) / 2.0)
  const left = pairwiseSum(p.map((v, i) => relEntr(v, m[i] ?? 0)))
  const right = pairwiseSum(q.map((v, i) => relEntr(v, m[i] ?? 0)))
  let js = left + right
  js /= Math.log(2)
  return Math.sqrt(js / 2.0)
}

/** scipy.stats.wasserstein_distance(u, v) from the two sorted samples. */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length
  const nv = v.length
  const total = nu + nv
  if (nu === 0 || nv === 0) return NaN
  // Terms |U(x_k) - V(x_k)| · (x_{k+1} - x_k) over the merged sample, summed as numpy does.
  const terms = new Float64Array(total - 1)
  let i = 0
  let j = 0
  let prev = NaN
  let cu = 0
  let cv = 0
  for (let k = 0; k < total; k++) {
    let x: number
    if (i < nu && (j >= nv || (u[i] ?? 0) <= (v[j] ?? 0))) x = u[i++] ?? 0
    else x = v[j++] ?? 0
    if (k > 0) {
      // CDFs at prev (counts of values <= prev); ties contribute a zero-width term.
      terms[k - 1] = Math.abs(cu / nu - cv / nv) * (x - prev)
    }
    prev = x
    cu = i
    cv = j
  }
  return pairwiseSum(terms)
}

export interface Chi2Result {
  statistic: number
  pValue: number
  dof: number
}

/** scipy.stats.chi2_contingency on a 2 × k table (Yates' correction only when dof = 1). */
export function chi2Contingency(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
): Chi2Result | null {
  const k = referenceCounts.length
  const rowRef = referenceCounts.reduce((s, c) => s + c, 0)
  const rowCur = currentCounts.reduce((s, c) => s + c, 0)
  const total = rowRef + rowCur
  const cols = referenceCounts.map((r, i) => r + (currentCounts[i] ?? 0))
  // scipy refuses a table with an expected frequency of zero.
  if (total === 0 || rowRef === 0 || rowCur === 0 || cols.some((c) => c === 0)) return null
  const dof = k - 1
  if (dof === 0) return { statistic: 0.0, pValue: 1.0, dof: 0 }
  const observed = [...referenceCounts, ...currentCounts]
  const expected = [
    ...cols.map((c) => (rowRef * c) / total),
    ...cols.map((c) => (rowCur * c) / total),
  ]
  if (dof === 1) {
    for (let i = 0; i < observed.length; i++) {
      const diff = (expected[i] ?? 0) - (observed[i] ?? 0)
      observed[i] = (observed[i] ?? 0) + Math.min(0.5, Math.abs(diff)) * Math.sign(diff)
    }
  }
  const terms = observed.map((o, i) => (o - (expected[i] ?? 0)) ** 2 / (expected[i] ?? 0))
  const statistic = pairwiseSum(terms)
  return { statistic, pValue: chi2Sf(statistic, dof), dof }
}

export interface ZTestResult {
  statistic: number
  pValue: number
}

/**
 * Two-proportion Z-test with the pooled proportion, as Evidently's z_stat_test: z =
 * (p_ref − p_cur)/√(P(1−P)(1/n_ref + 1/n_cur)), p = 2·norm.sf(|z|). "Success" is the first of the
 * two categories in sorted order. Identical single-valued samples give z = 0, p = 1.
 */
export function zTestProportions(
  refSuccess: number,
  refN: number,
  curSuccess: number,
  curN: number,
): ZTestResult | null {
  if (refN === 0 || curN === 0) return null
  const p1 = refSuccess / refN
  const p2 = curSuccess / curN
  const P = (p1 * refN + p2 * curN) / (refN + curN)
  const denominator = Math.sqrt(P * (1 - P) * (1.0 / refN + 1.0 / curN))
  if (denominator === 0) return { statistic: 0, pValue: 1 }
  const z = (p1 - p2) / denominator
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) }
}

/** Distinct values in a sorted array, stopping once `limit` is exceeded. */
export function countDistinctSorted(sorted: Float64Array, limit = Infinity): number {
  let count = 0
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      count++
      if (count > limit) break
    }
  }
  return count
}

/** Distinct values across two sorted arrays (their union), stopping once `limit` is exceeded. */
export function countDistinctUnion(a: Float64Array, b: Float64Array, limit = Infinity): number {
  let i = 0
  let j = 0
  let count = 0
  while (i < a.length || j < b.length) {
    const x =
      i < a.length && (j >= b.length || (a[i] ?? 0) <= (b[j] ?? 0)) ? (a[i] ?? 0) : (b[j] ?? 0)
    while (i < a.length && a[i] === x) i++
    while (j < b.length && b[j] === x) j++
    count++
    if (count > limit) break
  }
  return count
}
