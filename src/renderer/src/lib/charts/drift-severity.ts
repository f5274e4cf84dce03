// How far a column is past (or short of) its drift threshold, and the columns table's order.

/** What severity needs from a column's verdict (a structural subset of the report's column). */
export interface ColumnVerdictLike {
  name: string
  test: string | null
  statistic: number | null
  pValue?: number | null
  threshold?: number | null
  drifted: boolean
  /** The engine's own score (≥ 1 means drift); used as is when present. */
  severity?: number | null
}

/**
 * Tests that decide on a p-value (drift when p is at or below the threshold); the rest decide
 * on a distance (drift when the statistic reaches the threshold).
 */
const P_VALUE_TESTS = new Set(['ks', 'chi2', 'chi-square', 'chisquare', 'z', 'ztest', 'z-test'])

export function decidesOnPValue(test: string | null): boolean {
  return test !== null && P_VALUE_TESTS.has(test.toLowerCase())
}

/** Cap for scores, so a p-value of 0 or a threshold of 0 still sorts and shades. */
export const MAX_SCORE = 1000

/**
 * The statistic relative to its threshold, oriented so that 1 is the line and more is worse.
 * The engine's `severity` wins when the report carries one (it uses log p ÷ log threshold for
 * p-value tests); otherwise statistic ÷ threshold for distances and threshold ÷ p for p-value
 * tests. `null` when the column has nothing to measure (e.g. all values missing).
 */
export function driftScore(column: ColumnVerdictLike): number | null {
  if (column.test === null || column.statistic === null) return null
  if (typeof column.severity === 'number' && !Number.isNaN(column.severity)) {
    return Math.max(0, Math.min(MAX_SCORE, column.severity))
  }
  const threshold = column.threshold
  if (threshold === null || threshold === undefined) return null
  if (decidesOnPValue(column.test)) {
    const p = column.pValue
    if (p === null || p === undefined || !Number.isFinite(p)) return null
    if (p <= 0) return threshold > 0 ? MAX_SCORE : 1
    return Math.min(MAX_SCORE, threshold / p)
  }
  const statistic = column.statistic
  if (!Number.isFinite(statistic)) return null
  if (threshold <= 0) return statistic > 0 ? MAX_SCORE : 1
  return Math.min(MAX_SCORE, statistic / threshold)
}

/** Drifted columns first, then by score (highest first, unmeasurable last), then by name. */
export function sortBySeverity<T extends ColumnVerdictLike>(columns: readonly T[]): T[] {
  return columns
    .map((column) => ({ column, score: driftScore(column) }))
    .sort((a, b) => {
      if (a.column.drifted !== b.column.drifted) return a.column.drifted ? -1 : 1
      const sa = a.score ?? -Infinity
      const sb = b.score ?? -Infinity
      if (sa !== sb) return sb - sa
      return a.column.name < b.column.name ? -1 : a.column.name > b.column.name ? 1 : 0
    })
    .map((entry) => entry.column)
}
