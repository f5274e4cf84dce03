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
import {
  decimalSummary,
  KeyScratch,
  quantileSorted,
  sortFloat64,
  type NumberCount,
} from '../numeric'
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

const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const

/** Min, max, quantiles (as QUANTILES), distinct count and top values of finite values. */
interface FiniteSummary {
  min: number
  max: number
  quantiles: number[]
  distinct: number
  top: NumberCount[]
}

/**
 * The finite values' summary from one sort (sortFloat64, which sorts decimal data as scaled
 * integers): min, max, quantiles, and the distinct values with their counts as the runs of equal
 * values. Sorts `finite` in place.
 */
function summaryBySort(finite: Float64Array): FiniteSummary {
  const n = finite.length
  sortFloat64(finite)
  const top: NumberCount[] = []
  let distinct = 0
  for (let i = 0; i < n;) {
    const v = finite[i] ?? NaN
    let j = i + 1
    while (j < n && finite[j] === v) j++
    distinct++
    const count = j - i
    const last = top[TOP - 1]
    if (!last || count > last.count) {
      let at = top.length
      while (at > 0 && (top[at - 1]?.count ?? Infinity) < count) at--
      top.splice(at, 0, { value: v, count })
      if (top.length > TOP) top.pop()
    }
    i = j
  }
  return {
    min: finite[0] ?? NaN,
    max: finite[n - 1] ?? NaN,
    quantiles: QUANTILES.map((q) => quantileSorted(finite, q)),
    distinct,
    top,
  }
}

/**
 * Statistics of a numeric or timestamp column: mean and std as compensated sums; min, max,
 * quantiles, distinct count and top values of the finite values from their integer keys when they
 * are decimals (decimalSummary: a count table, or a sort of 32-bit keys), else from one sort of
 * the doubles. Infinities and NaN
 * are counted apart and join the top values in the order a sort would meet them: -Infinity
 * before the finite values, then Infinity, then NaN.
 */
function profileNumbers(
  column: Extract<Column, { kind: 'numeric' | 'timestamp' }>,
  scratch: KeyScratch | undefined,
): ColumnProfile {
  const { values, missing } = column
  let nanCount = 0
  let negInf = 0
  let posInf = 0
  let finiteCount = 0
  // The finite values' Neumaier sum (compensatedSum's, in the same order) in the same pass.
  let sum = 0
  let compensation = 0
  for (let i = 0; i < values.length; i++) {
    if (missing[i]) continue
    const v = values[i] ?? NaN
    if (v === Infinity) posInf++
    else if (v === -Infinity) negInf++
    else if (v === v) {
      finiteCount++
      const t = sum + v
      if (Math.abs(sum) >= Math.abs(v)) compensation += sum - t + v
      else compensation += v - t + sum
      sum = t
    } else nanCount++
  }
  // A column with nothing left out is summarised as it is (decimalSummary does not change it).
  const whole = finiteCount === values.length
  const finiteValues = whole ? values : new Float64Array(finiteCount)
  if (!whole) {
    let k = 0
    for (let i = 0; i < values.length; i++) {
      const v = values[i] ?? NaN
      if (missing[i] || v !== v || v === Infinity || v === -Infinity) continue
      finiteValues[k++] = v
    }
  }
  const n = finiteCount
  let mean: number | null = null
  let std: number | null = null
  if (n > 0) {
    const m = (sum + compensation) / n
    mean = m
    if (n > 1) {
      // Neumaier's sum of the squared deviations, without an array of them.
      let squares = 0
      let lost = 0
      for (let i = 0; i < n; i++) {
        const d = (finiteValues[i] ?? 0) - m
        const v = d * d
        const t = squares + v
        if (squares >= v) lost += squares - t + v
        else lost += v - t + squares
        squares = t
      }
      std = Math.sqrt((squares + lost) / (n - 1))
    }
  }
  const summary: FiniteSummary | null =
    n === 0
      ? null
      : (decimalSummary(finiteValues, QUANTILES, TOP, scratch) ??
        summaryBySort(whole ? finiteValues.slice() : finiteValues))
  const special: { value: number; count: number; order: number }[] = []
  if (negInf > 0) special.push({ value: -Infinity, count: negInf, order: 0 })
  if (posInf > 0) special.push({ value: Infinity, count: posInf, order: 2 })
  if (nanCount > 0) special.push({ value: NaN, count: nanCount, order: 3 })
  const top = [...(summary?.top ?? []).map((t) => ({ ...t, order: 1 })), ...special]
    // Stable: among equal counts and orders, the finite top keeps its ascending values.
    .sort((a, b) => b.count - a.count || a.order - b.order)
    .slice(0, TOP)
  const q = summary?.quantiles
  return {
    name: column.name,
    kind: column.kind,
    count: values.length - column.missingCount,
    missing: column.missingCount,
    nanCount,
    infinityCount: negInf + posInf,
    distinct: (summary?.distinct ?? 0) + special.length,
    min: summary ? summary.min : null,
    max: summary ? summary.max : null,
    mean,
    std,
    quantiles:
      q && summary
        ? {
            p5: q[0] ?? NaN,
            p25: q[1] ?? NaN,
            p50: q[2] ?? NaN,
            p75: q[3] ?? NaN,
            p95: q[4] ?? NaN,
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
    const code = codes[i] ?? -1
    if (code >= 0) counts[code] = (counts[code] ?? 0) + 1
  }
  let distinct = 0
  const order: number[] = []
  for (let k = 0; k < counts.length; k++) {
    if ((counts[k] ?? 0) > 0) {
      distinct++
      order.push(k)
    }
  }
  // Stable sort keeps first appearance among equal counts.
  order.sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0))
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
      .map((k) => ({ value: column.categories[k] ?? '', count: counts[k] ?? 0 })),
  }
}

/**
 * A column's profile. A thread that profiles several columns passes one `scratch` to all: the
 * sorts reuse its buffers instead of faulting in fresh ones for each column.
 */
export function profileColumn(column: Column, scratch?: KeyScratch): ColumnProfile {
  return column.kind === 'numeric' || column.kind === 'timestamp'
    ? profileNumbers(column, scratch)
    : profileCodes(column)
}

export function profileTable(
  table: Table,
  onColumn?: (done: number, total: number, name: string) => void,
): ColumnProfile[] {
  const scratch = new KeyScratch()
  return table.columns.map((column, i) => {
    onColumn?.(i, table.columns.length, column.name)
    return profileColumn(column, scratch)
  })
}
