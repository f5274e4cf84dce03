// Two-sample Kolmogorov–Smirnov test exactly as scipy.stats.ks_2samp with its defaults
// (two-sided, method 'auto'), computed from two already sorted samples in one merge.
import { kstwoSf, roundHalfEven } from './special'

export interface KsResult {
  statistic: number
  pValue: number
  /** 'exact' when max(n1, n2) <= 10,000 and the exact count succeeded, else 'asymp'. */
  method: 'exact' | 'asymp'
  /** The value where the two empirical CDFs are furthest apart. */
  location: number
}

const MAX_AUTO_N = 10000

const gcd = (a: number, b: number): number => {
  let x = a
  let y = b
  while (y) [x, y] = [y, x % y]
  return x
}

/** Pr(D_{n,n} >= h/n): scipy's _compute_prob_outside_square. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0.0
  let k = Math.floor(n / h)
  while (k >= 0) {
    let p1 = 1.0
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1)
    P = p1 * (1.0 - P)
    k -= 1
  }
  return 2 * P
}

/**
 * Proportion of lattice paths that do not stay strictly inside |x/m - y/n| < h/lcm:
 * scipy's _compute_outer_prob_inside_method (Hodges; Viehmann's recursion for 1 - p).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0
  let n = n0
  if (m < n) [m, n] = [n, m]
  const mg = Math.floor(m / g)
  const ng = Math.floor(n / g)
  let minj = 0
  let maxj = Math.min(Math.ceil(h / mg), n + 1)
  let curlen = maxj - minj
  const lenA = Math.min(2 * maxj + 2, n + 1)
  const A = new Float64Array(lenA).fill(1)
  A.fill(0, minj, maxj)
  for (let i = 1; i <= m; i++) {
    const lastminj = minj
    const lastlen = curlen
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0)
    minj = Math.min(minj, n)
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (maxj <= minj) return 1.0
    let val = minj === 0 ? 0.0 : 1.0
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj
      val = ((A[jj + minj - lastminj] ?? 0) * i + val * j) / (i + j)
      A[jj] = val
    }
    curlen = maxj - minj
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen))
  }
  return A[maxj - minj - 1] ?? 0
}

/** KS statistic, its location and p-value for two sorted samples without NaN, both non-empty. */
export function ks2Sorted(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length
  const n2 = b.length
  if (n1 === 0 || n2 === 0) throw new Error('ks2Sorted needs two non-empty samples')
  // Evaluate cdf1 - cdf2 (right-continuous) at every distinct value of the pooled sample.
  let i = 0
  let j = 0
  let maxS = -Infinity
  let minDiff = Infinity
  let locMax = NaN
  let locMin = NaN
  while (i < n1 || j < n2) {
    const x = i < n1 && (j >= n2 || (a[i] ?? 0) <= (b[j] ?? 0)) ? (a[i] ?? 0) : (b[j] ?? 0)
    while (i < n1 && (a[i] ?? 0) <= x) i++
    while (j < n2 && (b[j] ?? 0) <= x) j++
    const diff = i / n1 - j / n2
    if (diff > maxS) {
      maxS = diff
      locMax = x
    }
    if (diff < minDiff) {
      minDiff = diff
      locMin = x
    }
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1)
  let d = minS > maxS ? minS : maxS
  const location = minS > maxS ? locMin : locMax
  const g = gcd(n1, n2)
  let method: 'exact' | 'asymp' = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp'
  let prob = NaN
  if (method === 'exact') {
    const lcm = (n1 / g) * n2
    const h = roundHalfEven(d * lcm)
    d = (h * 1.0) / lcm
    if (h === 0) prob = 1.0
    else prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h)
    // scipy falls back to the asymptotic distribution when the exact count is not a probability.
    if (!(prob >= 0 && prob <= 1)) method = 'asymp'
  }
  if (method === 'asymp') {
    const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1]
    const en = (m * n) / (m + n)
    prob = kstwoSf(d, roundHalfEven(en))
  }
  prob = Math.min(Math.max(prob, 0), 1)
  return { statistic: d, pValue: prob, method, location }
}
