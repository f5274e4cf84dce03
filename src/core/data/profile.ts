// Per-column profiles of a Table (missing, min, max, mean, std, quantiles, distinct, top values),
// with the conventions of pandas `describe()` so the numbers can be checked against it.
//
// - Numeric and timestamp statistics describe the finite values: empty cells (`missing`), explicit
//   NaN (`nanCount`) and infinities (`infinityCount`) are counted apart and left out, so one `inf`
//   does not turn the mean into infinity. Timestamps are in milliseconds since the epoch (UTC).
// - `std` is the sample standard deviation (ddof = 1), as pandas `describe()`; null below 2 values.
// - Quantiles use numpy's default linear interpolation (pandas `quantile`), numpy's own lerp.
// - `distinct` counts distinct non-missing values (an explicit NaN is one value).
// - `topValues`: the 10 most frequent non-missing values, most frequent first; ties by value
//   (numbers ascending) or by first appearance (text).
import { compensatedSum, quantileSorted, sortFloat64 } from '../numeric'
import type { ColumnKind, Column, Table } from './table'

export interface ValueCount {
  value: string
  count: number
}

export interface ColumnProfile {
  name: string
  kind: ColumnKind
  /** Non-missing cells (explicit NaN and infinities included). */
  count: number
  missing: number
  nanCount: number
  infinityCount: number
  distinct: number
  min: number | null
  max: number | null
  mean: number | null
  std: number | null
  quantiles: { p5: number; p25: number; p50: number; p75: number; p95: number } | null
  topValues: ValueCount[]
}

const TOP = 10

function formatNumber(value: number, kind: ColumnKind): string {
  if (kind === 'timestamp' && Number.isFinite(value)) return new Date(value).toISOString()
  return String(value)
}

/**
 * Statistics of a numeric or timestamp column from one sort of its finite values (sortFloat64,
 * which sorts decimal data as scaled integers): min, max, quantiles, and the distinct values with
 * their counts as the runs of equal values; mean and std as compensated sums.
 */
function profileNumbers(column: Extract<Column, { kind: 'numeric' | 'timestamp' }>): ColumnProfile {
  const { values, missing } = column
  let nanCount = 0
  let negInf = 0
  let posInf = 0
  let finiteCount = 0
  for (let i = 0; i < values.length; i++) {
    if (missing[i]) continue
    const v = values[i] ?? NaN
    if (v === Infinity) posInf++
    else if (v === -Infinity) negInf++
    else if (v === v) finiteCount++
    else nanCount++
  }
  const unsorted = new Float64Array(finiteCount)
  let k = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN
    if (missing[i] || v !== v || v === Infinity || v === -Infinity) continue
    unsorted[k++] = v
  }
  const n = finiteCount
  let mean: number | null = null
  let std: number | null = null
  if (n > 0) {
    const m = compensatedSum(unsorted) / n
    mean = m
    if (n > 1) {
      // Neumaier's sum of the squared deviations, without an array of them.
      let sum = 0
      let compensation = 0
      for (let i = 0; i < n; i++) {
        const d = (unsorted[i] ?? 0) - m
        const v = d * d
        const t = sum + v
        if (sum >= v) compensation += sum - t + v
        else compensation += v - t + sum
        sum = t
      }
      std = Math.sqrt((sum + compensation) / (n - 1))
    }
  }
  const finite = sortFloat64(unsorted)
  // Distinct values and their counts from the sorted run lengths; the top ones kept in order, and
  // only those turned into text.
  const top: { value: number; count: number }[] = []
  let distinct = 0
  const consider = (value: number, count: number): void => {
    distinct++
    const last = top[TOP - 1]
    if (last && count <= last.count) return
    let at = top.length
    while (at > 0 && (top[at - 1]?.count ?? Infinity) < count) at--
    top.splice(at, 0, { value, count })
    if (top.length > TOP) top.pop()
  }
  if (negInf > 0) consider(-Infinity, negInf)
  for (let i = 0; i < n;) {
    const v = finite[i] ?? NaN
    let j = i + 1
    while (j < n && finite[j] === v) j++
    consider(v, j - i)
    i = j
  }
  if (posInf > 0) consider(Infinity, posInf)
  if (nanCount > 0) consider(NaN, nanCount)
  return {
    name: column.name,
    kind: column.kind,
    count: values.length - column.missingCount,
    missing: column.missingCount,
    nanCount,
    infinityCount: negInf + posInf,
    distinct,
    min: n > 0 ? (finite[0] ?? null) : null,
    max: n > 0 ? (finite[n - 1] ?? null) : null,
    mean,
    std,
    quantiles:
      n > 0
        ? {
            p5: quantileSorted(finite, 0.05),
            p25: quantileSorted(finite, 0.25),
            p50: quantileSorted(finite, 0.5),
            p75: quantileSorted(finite, 0.75),
            p95: quantileSorted(finite, 0.95),
          }
        : null,
    topValues: top.map((t) => ({ value: formatNumber(t.value, column.kind), count: t.count })),
  }
}

function profileCodes(
  column: Extract<Column, { kind: 'categorical' | 'boolean' | 'text' }>,
): ColumnProfile {
  const counts = new Float64Array(column.categories.length)
  const codes = column.codes
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!
    if (code >= 0) counts[code]!++
  }
  let distinct = 0
  const order: number[] = []
  for (let k = 0; k < counts.length; k++) {
    if (counts[k]! > 0) {
      distinct++
      order.push(k)
    }
  }
  // Stable sort keeps first appearance among equal counts.
  order.sort((a, b) => counts[b]! - counts[a]!)
  return {
    name: column.name,
    kind: column.kind,
    count: codes.length - column.missingCount,
    missing: column.missingCount,
    nanCount: 0,
    infinityCount: 0,
    distinct,
    min: null,
    max: null,
    mean: null,
    std: null,
    quantiles: null,
    topValues: order
      .slice(0, TOP)
      .map((k) => ({ value: column.categories[k]!, count: counts[k]! })),
  }
}

export function profileColumn(column: Column): ColumnProfile {
  return column.kind === 'numeric' || column.kind === 'timestamp'
    ? profileNumbers(column)
    : profileCodes(column)
}

export function profileTable(
  table: Table,
  onColumn?: (done: number, total: number, name: string) => void,
): ColumnProfile[] {
  return table.columns.map((column, i) => {
    onColumn?.(i, table.columns.length, column.name)
    return profileColumn(column)
  })
}
