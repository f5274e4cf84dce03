// Multivariate drift by PCA reconstruction error (as NannyML's DataReconstructionDriftCalculator):
// numeric feature columns imputed with the reference mean and standardised on the reference, the
// principal components explaining a share of the reference's variance kept, and each row's
// distance to its reconstruction from them. A change in how columns move together (a rotation,
// a broken correlation) raises the error even when every column's own distribution is unchanged.
import { SlipwayError } from '../../api/errors'

/** A PCA fitted on the reference: per-column mean and scale, and the kept components. */
export interface PcaModel {
  columns: string[]
  mean: Float64Array
  scale: Float64Array
  /** k × d, row-major, orthonormal rows. */
  components: Float64Array
  /** The other (d − k) × d eigenvectors: the residual is the projection on them. */
  discarded: Float64Array
  k: number
  explained: number
}

/**
 * The covariance is estimated on at most this many evenly spaced reference rows (the mean and
 * scale on all): components from 100,000 rows differ from the full reference's by sampling noise
 * far below the chunks' own spread, at a fifth of the cost on 500,000 rows.
 */
export const MAX_FIT_ROWS = 100_000

/** At most this many numeric columns: the eigen-decomposition is cubic in their count. */
export const MAX_PCA_COLUMNS = 200

/**
 * Eigen-decomposition of a symmetric d × d matrix by cyclic Jacobi rotations: eigenvalues and
 * eigenvectors (columns of `vectors`, row-major d × d), in no particular order.
 */
export function symmetricEigen(
  matrix: Float64Array,
  d: number,
): {
  values: Float64Array
  vectors: Float64Array
} {
  const a = Float64Array.from(matrix)
  const v = new Float64Array(d * d)
  for (let i = 0; i < d; i++) v[i * d + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let diag = 0
    for (let p = 0; p < d; p++) {
      diag += (a[p * d + p] ?? 0) ** 2
      for (let q = p + 1; q < d; q++) off += (a[p * d + q] ?? 0) ** 2
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q] ?? 0
        if (apq === 0) continue
        const theta = ((a[q * d + q] ?? 0) - (a[p * d + p] ?? 0)) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p] ?? 0
          const akq = a[k * d + q] ?? 0
          a[k * d + p] = c * akp - s * akq
          a[k * d + q] = s * akp + c * akq
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k] ?? 0
          const aqk = a[q * d + k] ?? 0
          a[p * d + k] = c * apk - s * aqk
          a[q * d + k] = s * apk + c * aqk
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p] ?? 0
          const vkq = v[k * d + q] ?? 0
          v[k * d + p] = c * vkp - s * vkq
          v[k * d + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const values = new Float64Array(d)
  for (let i = 0; i < d; i++) values[i] = a[i * d + i] ?? 0
  return { values, vectors: v }
}

/**
 * Fits the scaler and PCA on the reference columns (missing, NaN and infinite cells take the
 * reference mean, as NannyML's mean imputation; sklearn itself would refuse infinities). Components kept: the fewest
 * whose cumulative explained variance ratio exceeds `variance` (sklearn's PCA(n_components=0.65)).
 */
export function fitPca(names: string[], columns: Float64Array[], variance: number): PcaModel {
  const d = columns.length
  const n = columns[0]?.length ?? 0
  const mean = new Float64Array(d)
  const scale = new Float64Array(d)
  columns.forEach((col, j) => {
    let sum = 0
    let count = 0
    for (let i = 0; i < n; i++) {
      const x = col[i] ?? NaN
      if (Number.isFinite(x)) {
        sum += x
        count++
      }
    }
    const m = count ? sum / count : 0
    let sq = 0
    for (let i = 0; i < n; i++) {
      const x = col[i] ?? NaN
      if (Number.isFinite(x)) sq += (x - m) * (x - m)
    }
    // Missing cells take the mean, so they add nothing to the variance but count in n.
    const std = Math.sqrt(sq / n)
    mean[j] = m
    scale[j] = std > 0 ? std : 1
  })
  // Covariance of the standardised data, a block of rows at a time: each column's block is
  // standardised once, then every pair is one tight dot product (upper triangle, mirrored).
  // Past MAX_FIT_ROWS, evenly spaced rows estimate it (the scaler still uses every row).
  const cov = new Float64Array(d * d)
  const model = { mean, scale }
  const step = n > MAX_FIT_ROWS ? n / MAX_FIT_ROWS : 1
  const fitRows = step > 1 ? MAX_FIT_ROWS : n
  const sampled =
    step > 1
      ? columns.map((col) => {
          const out = new Float64Array(fitRows)
          for (let i = 0; i < fitRows; i++) out[i] = col[Math.floor(i * step)] ?? 0
          return out
        })
      : columns
  const block = standardisedBlocks(model, sampled)
  for (let from = 0; from < fitRows; from += BLOCK) {
    const size = Math.min(BLOCK, fitRows - from)
    const z = block(from, size)
    for (let p = 0; p < d; p++) {
      const zp = z[p]
      for (let q = p; q < d; q++) {
        const zq = z[q]
        if (!zp || !zq)
          throw new SlipwayError('INTERNAL', `PCA: a block of ${z.length} columns, not ${d}`)
        let sum = 0
        for (let i = 0; i < size; i++) sum += (zp[i] ?? 0) * (zq[i] ?? 0)
        cov[p * d + q] = (cov[p * d + q] ?? 0) + sum
      }
    }
  }
  for (let p = 0; p < d; p++)
    for (let q = p; q < d; q++) {
      const value = (cov[p * d + q] ?? 0) / Math.max(fitRows - 1, 1)
      cov[p * d + q] = value
      cov[q * d + p] = value
    }
  const { values, vectors } = symmetricEigen(cov, d)
  const order = Array.from({ length: d }, (_, i) => i).sort(
    (x, y) => (values[y] ?? 0) - (values[x] ?? 0),
  )
  const total = order.reduce((s, i) => s + Math.max(values[i] ?? 0, 0), 0)
  let k = 0
  let cumulative = 0
  // Every column constant in the reference: nothing to reconstruct (k stays 0).
  while (k < d && total > 0) {
    cumulative += Math.max(values[order[k] ?? 0] ?? 0, 0) / total
    k++
    if (cumulative > variance) break
  }
  const components = new Float64Array(k * d)
  for (let c = 0; c < k; c++)
    for (let j = 0; j < d; j++) components[c * d + j] = vectors[j * d + (order[c] ?? 0)] ?? 0
  const discarded = new Float64Array((d - k) * d)
  for (let c = k; c < d; c++)
    for (let j = 0; j < d; j++) discarded[(c - k) * d + j] = vectors[j * d + (order[c] ?? 0)] ?? 0
  return { columns: names, mean, scale, components, discarded, k, explained: cumulative }
}

/** Rows per block: each column's block of standardised values stays in cache. */
const BLOCK = 256

/**
 * Standardised values of a block of rows, one Float64Array per column (reused between calls);
 * missing, NaN and infinite cells are 0 (the reference mean).
 */
function standardisedBlocks(
  model: Pick<PcaModel, 'mean' | 'scale'>,
  columns: Float64Array[],
): (from: number, size: number) => Float64Array[] {
  const blocks = columns.map((col) => ({ col, out: new Float64Array(BLOCK) }))
  const buffers = blocks.map((b) => b.out)
  return (from, size) => {
    blocks.forEach(({ col, out }, j) => {
      const m = model.mean[j] ?? 0
      const inverse = 1 / (model.scale[j] ?? NaN)
      for (let i = 0; i < size; i++) {
        const x = col[from + i] ?? NaN
        out[i] = Number.isFinite(x) ? (x - m) * inverse : 0
      }
    })
    return buffers
  }
}

/** Each row's Euclidean distance between its standardised values and their reconstruction. */
export function reconstructionErrors(model: PcaModel, columns: Float64Array[]): Float64Array {
  const d = columns.length
  const n = columns[0]?.length ?? 0
  // The eigenvectors are an orthonormal basis: |z − VᵀVz|² = |z|² − |Vz|² = |Uz|² with U the
  // discarded ones; whichever set is smaller costs fewer products per row.
  const useDiscarded = d - model.k < model.k
  const basis = useDiscarded ? model.discarded : model.components
  const k = useDiscarded ? d - model.k : model.k
  const { mean } = model
  // Multiplying by the reciprocal is several times cheaper than dividing, at a rounding's cost.
  const inverse = model.scale.map((s) => 1 / s)
  const out = new Float64Array(n)
  const z = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    let norm = 0
    for (let j = 0; j < d; j++) {
      const x = columns[j]?.[i] ?? NaN
      const v = Number.isFinite(x) ? (x - (mean[j] ?? 0)) * (inverse[j] ?? 0) : 0
      z[j] = v
      norm += v * v
    }
    let projected = 0
    for (let c = 0; c < k; c++) {
      const row = c * d
      let p = 0
      for (let j = 0; j < d; j++) p += (basis[row + j] ?? 0) * (z[j] ?? 0)
      projected += p * p
    }
    out[i] = Math.sqrt(Math.max(useDiscarded ? projected : norm - projected, 0))
  }
  return out
}

/** Mean of some rows' errors (all rows when `rows` is absent); null for no rows. */
export function meanOf(errors: Float64Array, rows?: Uint32Array): number | null {
  const n = rows ? rows.length : errors.length
  if (n === 0) return null
  let sum = 0
  if (rows) for (const r of rows) sum += errors[r] ?? 0
  else for (let i = 0; i < n; i++) sum += errors[i] ?? 0
  return sum / n
}
