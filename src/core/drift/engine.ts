// The drift engine on tables: per-column samples (sorted once), the statistics, the choice of
// test (Evidently's defaults unless overridden), the verdict with its reason, and windows.
import type {
  ColumnDrift,
  ColumnStats,
  DriftSettings,
  DriftTest,
  DriftWindow,
  WindowUnit,
} from '../../api/drift'
import { SlipwayError } from '../../api/errors'
import type { Column } from '../data/table'
import { ks2Sorted } from './ks'
import {
  binCounts,
  chi2Contingency,
  countDistinctSorted,
  countDistinctUnion,
  jensenShannon,
  lowerBound,
  meanAndStd,
  psi,
  quantileEdges,
  wassersteinSorted,
  zTestProportions,
} from './stats'
import { quantileSorted, sortFloat64 } from '../numeric'

export interface NumericSample {
  kind: 'numeric'
  /** Values present (missing and NaN excluded), ascending. */
  sorted: Float64Array
  missing: number
}

export interface CategoricalSample {
  kind: 'categorical'
  counts: Map<string, number>
  missing: number
}

export type Sample = NumericSample | CategoricalSample

const HISTOGRAM_BINS = 20
const MAX_CHART_CATEGORIES = 30
const MAX_LISTED_CATEGORIES = 1000
/** A numeric column with at most this many distinct values also gets a category view. */
const DISCRETE_LIMIT = 5
const SMALL_REFERENCE = 1000

export const DEFAULT_THRESHOLDS: Record<DriftTest, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
}

export const TEST_LABELS: Record<DriftTest, string> = {
  ks: 'Kolmogorov–Smirnov test',
  chisquare: 'Chi-square test',
  z: 'Z-test for two proportions',
  wasserstein: 'Normed Wasserstein distance',
  jensenshannon: 'Jensen–Shannon distance',
  psi: 'PSI',
}

const isPValueTest = (test: DriftTest): boolean =>
  test === 'ks' || test === 'chisquare' || test === 'z'

/** The present values of a numeric column (optionally of some rows), sorted. */
export function numericSample(values: Float64Array, rows?: Uint32Array): NumericSample {
  const n = rows ? rows.length : values.length
  let present = 0
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[rows ? (rows[i] ?? 0) : i] ?? NaN)) present++
  const out = new Float64Array(present)
  let k = 0
  for (let i = 0; i < n; i++) {
    const v = values[rows ? (rows[i] ?? 0) : i] ?? NaN
    if (!Number.isNaN(v)) out[k++] = v
  }
  return { kind: 'numeric', sorted: sortFloat64(out), missing: n - present }
}

/** Category counts of a column (numbers as their text), optionally of some rows. */
export function categoricalSample(column: Column, rows?: Uint32Array): CategoricalSample {
  const counts = new Map<string, number>()
  let missing = 0
  const n = rows
    ? rows.length
    : column.kind === 'numeric' || column.kind === 'timestamp'
      ? column.values.length
      : column.codes.length
  if (column.kind === 'numeric' || column.kind === 'timestamp') {
    for (let i = 0; i < n; i++) {
      const v = column.values[rows ? (rows[i] ?? 0) : i] ?? NaN
      if (Number.isNaN(v)) missing++
      else {
        const key = String(v)
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
  } else {
    const byCode = new Float64Array(column.categories.length)
    for (let i = 0; i < n; i++) {
      const code = column.codes[rows ? (rows[i] ?? 0) : i] ?? -1
      if (code < 0) missing++
      else byCode[code] = (byCode[code] ?? 0) + 1
    }
    column.categories.forEach((name, code) => {
      const count = byCode[code] ?? 0
      if (count > 0) counts.set(name, (counts.get(name) ?? 0) + count)
    })
  }
  return { kind: 'categorical', counts, missing }
}

/** How a column pair is compared: numeric when both sides are numeric, else as categories. */
export function pairKind(ref: Column, cur: Column): 'numeric' | 'categorical' | null {
  if (ref.kind === 'timestamp' || cur.kind === 'timestamp') return null
  return ref.kind === 'numeric' && cur.kind === 'numeric' ? 'numeric' : 'categorical'
}

export const sampleOf = (
  column: Column,
  kind: 'numeric' | 'categorical',
  rows?: Uint32Array,
): Sample =>
  kind === 'numeric' && column.kind === 'numeric'
    ? numericSample(column.values, rows)
    : categoricalSample(column, rows)

const sampleCount = (s: Sample): number => {
  if (s.kind === 'numeric') return s.sorted.length
  let n = 0
  for (const c of s.counts.values()) n += c
  return n
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
const allFinite = (xs: readonly number[]): boolean => xs.every(Number.isFinite)

export function fmt(x: number | null, digits = 3): string {
  if (x === null) return 'n/a'
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (a >= 0.001 && a < 1e6) return String(Number(x.toPrecision(digits)))
  return x.toExponential(digits - 1)
}

/**
 * A value and the threshold it is compared with, at the fewest digits (3 or more) where the two
 * read differently when they differ: 0.09996 against 0.1 must not print "0.1 < 0.1", nor 0.13627
 * against 0.1363 "0.136 < 0.136".
 */
function fmtPair(x: number, threshold: number): [string, string] {
  for (let digits = 3; digits <= 17; digits++) {
    const pair: [string, string] = [fmt(x, digits), fmt(threshold, digits)]
    if (x === threshold || pair[0] !== pair[1]) return pair
  }
  return [String(x), String(threshold)]
}

const plural = (n: number, one: string, many: string): string =>
  `${thousands(n)} ${n === 1 ? one : many}`

const thousands = (n: number): string => n.toLocaleString('en-US')

function sideStats(s: Sample): ColumnDrift['reference'] {
  const count = sampleCount(s)
  const total = count + s.missing
  const base = { count, missing: s.missing, missingShare: total ? s.missing / total : null }
  if (s.kind === 'categorical') {
    return {
      ...base,
      distinct: s.counts.size,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles: null,
    }
  }
  if (count === 0)
    return { ...base, distinct: 0, mean: null, std: null, min: null, max: null, quantiles: null }
  const { mean, std } = meanAndStd(s.sorted)
  // p5, p25, p50, p75, p95 by position: one infinite quantile leaves them all out, not shifted.
  const quantiles = [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => quantileSorted(s.sorted, q))
  return {
    ...base,
    distinct: countDistinctSorted(s.sorted),
    mean: finite(mean),
    std: finite(std),
    min: finite(s.sorted[0] ?? NaN),
    max: finite(s.sorted[count - 1] ?? NaN),
    quantiles: allFinite(quantiles) ? quantiles : null,
  }
}

/** First and last finite values of a sorted sample, or null when it has none. */
function finiteRange(x: Float64Array): [number, number] | null {
  let i = 0
  let j = x.length - 1
  while (i <= j && !Number.isFinite(x[i] ?? NaN)) i++
  while (j >= i && !Number.isFinite(x[j] ?? NaN)) j--
  return i <= j ? [x[i] ?? 0, x[j] ?? 0] : null
}

function numericHistogram(a: Float64Array, b: Float64Array): ColumnDrift['histogram'] {
  // Equal-width bins over the finite values; infinities count in the outer bins.
  const ranges = [a, b].map(finiteRange).filter((r) => r !== null)
  if (ranges.length === 0) {
    if (a.length + b.length === 0) return { kind: 'numeric', edges: [], reference: [], current: [] }
    const count = (x: Float64Array): number[] => [lowerBound(x, 0), x.length - lowerBound(x, 0)]
    return {
      kind: 'numeric',
      edges: [-Number.MAX_VALUE, 0, Number.MAX_VALUE],
      reference: count(a),
      current: count(b),
    }
  }
  const lo = Math.min(...ranges.map((r) => r[0]))
  const hi = Math.max(...ranges.map((r) => r[1]))
  if (lo === hi)
    return { kind: 'numeric', edges: [lo, hi], reference: [a.length], current: [b.length] }
  // hi - lo overflows for values near ±1.8e308; the width as a difference of quotients does not.
  const width = hi / HISTOGRAM_BINS - lo / HISTOGRAM_BINS
  const edges: number[] = []
  for (let k = 0; k <= HISTOGRAM_BINS; k++) edges.push(k === HISTOGRAM_BINS ? hi : lo + width * k)
  const counts = (x: Float64Array): number[] => {
    const out: number[] = []
    for (let k = 0; k < HISTOGRAM_BINS; k++) {
      const from = k === 0 ? 0 : lowerBound(x, edges[k] ?? 0)
      const to = k === HISTOGRAM_BINS - 1 ? x.length : lowerBound(x, edges[k + 1] ?? 0)
      out.push(to - from)
    }
    return out
  }
  return { kind: 'numeric', edges, reference: counts(a), current: counts(b) }
}

function categoricalHistogram(
  categories: string[],
  ref: number[],
  cur: number[],
): ColumnDrift['histogram'] {
  const order = categories
    .map((name, i) => ({ name, reference: ref[i] ?? 0, current: cur[i] ?? 0 }))
    .sort(
      (a, b) => b.reference + b.current - (a.reference + a.current) || (a.name < b.name ? -1 : 1),
    )
  const shown = order.slice(0, MAX_CHART_CATEGORIES)
  const hidden = order.slice(MAX_CHART_CATEGORIES)
  return {
    kind: 'categorical',
    categories: shown.map((c) => c.name),
    reference: shown.map((c) => c.reference),
    current: shown.map((c) => c.current),
    otherReference: hidden.reduce((s, c) => s + c.reference, 0),
    otherCurrent: hidden.reduce((s, c) => s + c.current, 0),
  }
}

function countInfinite(sorted: Float64Array): number {
  let n = 0
  for (let i = 0; i < sorted.length && sorted[i] === -Infinity; i++) n++
  for (let i = sorted.length - 1; i >= 0 && sorted[i] === Infinity; i--) n++
  return n
}

/** Run-length counts of a sorted sample: its distinct values and their counts. */
function runLengths(sorted: Float64Array): Map<number, number> {
  const out = new Map<number, number>()
  for (const v of sorted) out.set(v, (out.get(v) ?? 0) + 1)
  return out
}

const proportions = (counts: readonly number[]): number[] => {
  const n = counts.reduce((s, c) => s + c, 0)
  return counts.map((c) => c / n)
}

export interface ColumnOptions {
  settings: DriftSettings
  /** Reference rows with a value in this column; chooses between the small- and large-sample tests. */
  referenceCount: number
}

interface Choice {
  test: DriftTest
  threshold: number
  /** Completes "chosen because …", or null when the settings named the test. */
  reason: string | null
  /** Where the settings named the test: 'for this column' or 'for all columns'. */
  source: string | null
}

/**
 * The distinct-value count in words, counted over both datasets together (as Evidently does); a
 * numeric count stops just past the discrete limit.
 */
function distinctText(kind: 'numeric' | 'categorical', distinct: number): string {
  const count =
    kind === 'numeric' && distinct > DISCRETE_LIMIT
      ? `more than ${DISCRETE_LIMIT} distinct values`
      : kind === 'numeric'
        ? plural(distinct, 'distinct value', 'distinct values')
        : plural(distinct, 'category', 'categories')
  return `${count} across both datasets`
}

function chooseTest(
  name: string,
  kind: 'numeric' | 'categorical',
  distinct: number,
  options: ColumnOptions,
  referenceMissing: number,
): Choice {
  const { settings, referenceCount } = options
  const override = settings.columns[name]
  const method = override?.method ?? settings.method
  const source = override?.method ? 'for this column' : 'for all columns'
  const threshold = (test: DriftTest): number => {
    const t = override?.threshold ?? settings.threshold ?? DEFAULT_THRESHOLDS[test]
    // A p-value test's threshold is a significance level: at 1 or above every column drifts.
    if (isPValueTest(test) && t >= 1) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `Column "${name}": the threshold ${t} of the ${test} test is a p-value level and must be below 1${override?.threshold === undefined ? '; the threshold for all columns applies to this test too, so give this column its own (COLUMN=X)' : ''}`,
      )
    }
    return t
  }
  if (method) {
    if ((method === 'ks' || method === 'wasserstein') && kind !== 'numeric') {
      throw new SlipwayError(
        'INVALID_INPUT',
        `Column "${name}" is categorical; the ${method} test needs a numeric column (it was set ${source})`,
      )
    }
    if (method === 'z' && distinct > 2) {
      throw new SlipwayError(
        'INVALID_INPUT',
        `Column "${name}" has ${distinctText(kind, distinct)}; the z test needs a column with at most two (it was set ${source})`,
      )
    }
    return { test: method, threshold: threshold(method), reason: null, source }
  }
  // "the reference has 800 rows (≤ 1,000)", or, when the column has gaps, the values it counted.
  const rows = (size: string): string =>
    referenceMissing > 0
      ? `the reference has ${plural(referenceCount, 'value', 'values')} in this column (${size}; ${thousands(referenceMissing)} missing)`
      : `the reference has ${plural(referenceCount, 'row', 'rows')} (${size})`
  const choice = (test: DriftTest, reason: string): Choice => ({
    test,
    threshold: threshold(test),
    reason,
    source: null,
  })
  if (referenceCount <= SMALL_REFERENCE) {
    if (kind === 'numeric' && distinct > DISCRETE_LIMIT) {
      return choice(
        'ks',
        `${rows('≤ 1,000')} and the column is numeric with ${distinctText(kind, distinct)}`,
      )
    }
    const what =
      kind === 'numeric'
        ? `numeric with only ${distinctText(kind, distinct)}`
        : `categorical with ${distinctText(kind, distinct)}`
    return choice(distinct <= 2 ? 'z' : 'chisquare', `${rows('≤ 1,000')} and the column is ${what}`)
  }
  if (kind === 'numeric' && distinct > DISCRETE_LIMIT) {
    return choice(
      'wasserstein',
      `${rows('> 1,000')}, where p-values flag even negligible shifts, and the column is numeric with ${distinctText(kind, distinct)}`,
    )
  }
  const what =
    kind === 'numeric' ? `numeric with only ${distinctText(kind, distinct)}` : 'categorical'
  return choice('jensenshannon', `${rows('> 1,000')} and the column is ${what}`)
}

/** `measure` is what the test decides on: its p-value, or the statistic of a distance. */
function verdict(test: DriftTest, measure: number, threshold: number): boolean {
  if (test === 'ks') return measure <= threshold
  if (test === 'chisquare' || test === 'z') return measure < threshold
  return measure >= threshold
}

function severityOf(test: DriftTest, measure: number, threshold: number): number {
  if (isPValueTest(test)) {
    const p = Math.max(measure, 1e-300)
    return Math.min(Math.log(p) / Math.log(threshold), 1000)
  }
  return Math.min(measure / threshold, 1000)
}

const emptyStats = (): ColumnStats => ({
  ks: null,
  wasserstein: null,
  wassersteinNormed: null,
  psi: null,
  jensenShannon: null,
  chi2: null,
  z: null,
  unseenCategories: [],
  vanishedCategories: [],
})

/** What the distribution step of a column comparison found, besides the stats it filled in. */
interface Measured {
  histogram: ColumnDrift['histogram']
  distinct: number
  bins: ColumnDrift['bins']
  /** Counts per category (categorical columns, or numeric ones with few values), for chi2/z. */
  categoryCounts: { categories: string[]; ref: number[]; cur: number[] } | null
  /** Chi-square on the numeric bins, for numeric columns with many values. */
  binChi2: ColumnStats['chi2']
  undefinedBecause: string | null
}

/** Compares one column of the reference with the same column of current data. */
export function compareColumn(
  name: string,
  ref: Sample,
  cur: Sample,
  options: ColumnOptions,
): ColumnDrift {
  const stats = emptyStats()
  const notes: string[] = []
  const kind = ref.kind
  const refN = sampleCount(ref)
  const curN = sampleCount(cur)
  let measured: Measured
  if (ref.kind === 'numeric' && cur.kind === 'numeric')
    measured = measureNumeric(ref, cur, options, stats, notes)
  else if (ref.kind === 'categorical' && cur.kind === 'categorical')
    measured = measureCategorical(ref, cur, stats, notes)
  else
    throw new SlipwayError(
      'INTERNAL',
      `Column "${name}": reference and current samples differ in kind`,
    )
  const { histogram, distinct, bins, undefinedBecause } = measured
  categoryTests(kind, measured, stats)
  noteUnseen(stats, notes)

  const reference = sideStats(ref)
  const current = sideStats(cur)
  noteMissingChange(reference.missingShare, current.missingShare, notes)
  const base = {
    name,
    kind,
    reference,
    current,
    stats,
    bins,
    histogram,
    notes,
  }
  if (refN === 0 || curN === 0) {
    const side =
      refN === 0 && curN === 0
        ? 'both datasets have'
        : refN === 0
          ? 'the reference has'
          : 'the current data has'
    return {
      ...base,
      test: null,
      statistic: null,
      pValue: null,
      threshold: null,
      drifted: false,
      severity: 0,
      why: `Not tested: ${side} no values in this column (all missing); its missing share is reported instead.`,
    }
  }
  const choice = chooseTest(name, kind, distinct, options, ref.missing)
  const { statistic, pValue } = chosenStatistic(choice.test, stats)
  const label = TEST_LABELS[choice.test]
  const chosen = choice.reason
    ? `chosen because ${choice.reason}`
    : `the test chosen ${choice.source} in the settings`
  const measure = isPValueTest(choice.test) ? pValue : statistic
  if (statistic === null || measure === null) {
    return {
      ...base,
      test: choice.test,
      statistic,
      pValue,
      threshold: choice.threshold,
      drifted: false,
      severity: 0,
      why: `Not tested: the ${label} is undefined here${undefinedBecause ? ` (${undefinedBecause})` : ''}; ${chosen}.`,
    }
  }
  const drifted = verdict(choice.test, measure, choice.threshold)
  const [shown, limit] = fmtPair(measure, choice.threshold)
  const comparison = isPValueTest(choice.test)
    ? choice.test === 'ks'
      ? `p = ${shown} ${drifted ? '≤' : '>'} ${limit}`
      : `p = ${shown} ${drifted ? '<' : '≥'} ${limit}`
    : `${shown} ${drifted ? '≥' : '<'} ${limit}`
  const on =
    kind === 'numeric' && distinct > DISCRETE_LIMIT && choice.test === 'chisquare'
      ? ` on the ${plural(bins?.reference.length ?? 0, 'bin', 'bins')} at the reference's quantiles`
      : ''
  return {
    ...base,
    test: choice.test,
    statistic,
    pValue,
    threshold: choice.threshold,
    drifted,
    severity: severityOf(choice.test, measure, choice.threshold),
    why: `${label}${on} decided ${drifted ? 'drift' : 'no drift'} (${comparison}), ${chosen}.`,
  }
}

/** A numeric column: KS, Wasserstein, PSI and Jensen–Shannon on shared bins, constant notes. */
function measureNumeric(
  ref: NumericSample,
  cur: NumericSample,
  options: ColumnOptions,
  stats: ColumnStats,
  notes: string[],
): Measured {
  const refN = ref.sorted.length
  const curN = cur.sorted.length
  const histogram = numericHistogram(ref.sorted, cur.sorted)
  const distinct = countDistinctUnion(ref.sorted, cur.sorted, DISCRETE_LIMIT + 1)
  let bins: ColumnDrift['bins'] = null
  let categoryCounts: Measured['categoryCounts'] = null
  let binChi2: ColumnStats['chi2'] = null
  let undefinedBecause: string | null = null
  if (refN > 0 && curN > 0) {
    const ks = ks2Sorted(ref.sorted, cur.sorted)
    stats.ks = { statistic: ks.statistic, pValue: ks.pValue, method: ks.method }
    const w = wassersteinSorted(ref.sorted, cur.sorted)
    const { std } = meanAndStd(ref.sorted)
    stats.wasserstein = finite(w)
    stats.wassersteinNormed = finite(w / Math.max(std, 0.001))
    if (std === 0)
      notes.push(
        'The reference is constant here; the Wasserstein distance is divided by 0.001 instead of its standard deviation.',
      )
    let edges: number[]
    if (distinct <= DISCRETE_LIMIT) {
      const rl = runLengths(ref.sorted)
      const cl = runLengths(cur.sorted)
      const values = [...new Set([...rl.keys(), ...cl.keys()])].sort((a, b) => a - b)
      categoryCounts = {
        categories: values.map(String),
        ref: values.map((v) => rl.get(v) ?? 0),
        cur: values.map((v) => cl.get(v) ?? 0),
      }
      stats.unseenCategories = values.filter((v) => !rl.has(v)).map(String)
      stats.vanishedCategories = values.filter((v) => !cl.has(v)).map(String)
      // A bin per value: decile edges can put several of a few values in one bin (95% zeros
      // leave a single edge at 0), and a move from 0/1 to 2 would then read as no change.
      edges = values.slice(1)
    } else edges = quantileEdges(ref.sorted, options.settings.bins)
    const rc = binCounts(ref.sorted, edges)
    const cc = binCounts(cur.sorted, edges)
    bins = { edges, reference: rc, current: cc }
    stats.psi = finite(psi(rc, cc))
    stats.jensenShannon = finite(jensenShannon(proportions(rc), proportions(cc)))
    const kept = rc.map((_, i) => i).filter((i) => (rc[i] ?? 0) + (cc[i] ?? 0) > 0)
    binChi2 = chi2Contingency(
      kept.map((i) => rc[i] ?? 0),
      kept.map((i) => cc[i] ?? 0),
    )
    const refInfinite = countInfinite(ref.sorted)
    const curInfinite = countInfinite(cur.sorted)
    if (refInfinite + curInfinite) {
      undefinedBecause = `infinite values: ${thousands(refInfinite)} in the reference, ${thousands(curInfinite)} in current data`
      notes.push(
        `Infinite values (${thousands(refInfinite)} in the reference, ${thousands(curInfinite)} in current data) leave the Wasserstein distance undefined.`,
      )
    }
  }
  if (
    refN > 0 &&
    ref.sorted[0] === ref.sorted[refN - 1] &&
    curN > 0 &&
    cur.sorted[0] === cur.sorted[curN - 1]
  ) {
    notes.push(
      ref.sorted[0] === cur.sorted[0]
        ? 'Constant in both datasets, with the same value.'
        : `Constant in both datasets, but the value changed from ${ref.sorted[0]} to ${cur.sorted[0]}.`,
    )
  }
  return { histogram, distinct, bins, categoryCounts, binChi2, undefinedBecause }
}

/** A categorical column: PSI and Jensen–Shannon on the category counts, unseen and vanished. */
function measureCategorical(
  ref: CategoricalSample,
  cur: CategoricalSample,
  stats: ColumnStats,
  notes: string[],
): Measured {
  const refN = sampleCount(ref)
  const curN = sampleCount(cur)
  const categories = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])].sort()
  const rc = categories.map((c) => ref.counts.get(c) ?? 0)
  const cc = categories.map((c) => cur.counts.get(c) ?? 0)
  const distinct = categories.length
  const histogram = categoricalHistogram(categories, rc, cc)
  stats.unseenCategories = refN > 0 ? categories.filter((c) => !ref.counts.has(c)) : []
  stats.vanishedCategories = curN > 0 ? categories.filter((c) => !cur.counts.has(c)) : []
  let categoryCounts: Measured['categoryCounts'] = null
  if (refN > 0 && curN > 0) {
    categoryCounts = { categories, ref: rc, cur: cc }
    stats.psi = finite(psi(rc, cc))
    stats.jensenShannon = finite(jensenShannon(proportions(rc), proportions(cc)))
    if (distinct === 1) notes.push(`A single category ("${categories[0]}") in both datasets.`)
  }
  return { histogram, distinct, bins: null, categoryCounts, binChi2: null, undefinedBecause: null }
}

/** Chi-square (and the z-test for two categories) on category counts, else on numeric bins. */
function categoryTests(kind: Sample['kind'], measured: Measured, stats: ColumnStats): void {
  const { categoryCounts } = measured
  if (categoryCounts) {
    stats.chi2 = chi2Contingency(categoryCounts.ref, categoryCounts.cur)
    if (categoryCounts.categories.length <= 2) {
      const refTotal = categoryCounts.ref.reduce((s, c) => s + c, 0)
      const curTotal = categoryCounts.cur.reduce((s, c) => s + c, 0)
      stats.z = zTestProportions(
        categoryCounts.ref[0] ?? 0,
        refTotal,
        categoryCounts.cur[0] ?? 0,
        curTotal,
      )
    }
  } else if (kind === 'numeric') {
    stats.chi2 = measured.binChi2
  }
}

/** Caps the listed unseen and vanished categories and says which are new. */
function noteUnseen(stats: ColumnStats, notes: string[]): void {
  const unseen = stats.unseenCategories.length
  stats.unseenCategories = stats.unseenCategories.slice(0, MAX_LISTED_CATEGORIES)
  stats.vanishedCategories = stats.vanishedCategories.slice(0, MAX_LISTED_CATEGORIES)
  if (!unseen) return
  const shown = stats.unseenCategories
    .slice(0, 5)
    .map((c) => `"${c}"`)
    .join(', ')
  const more = unseen > 5 ? ` and ${thousands(unseen - 5)} more` : ''
  const listed =
    unseen > MAX_LISTED_CATEGORIES
      ? ` (the first ${thousands(MAX_LISTED_CATEGORIES)} are listed)`
      : ''
  notes.push(`Categories not seen in the reference: ${shown}${more}${listed}.`)
}

/** A change of a point or more in the share of missing values is said in a note. */
function noteMissingChange(rs: number | null, cs: number | null, notes: string[]): void {
  if (rs === null || cs === null || Math.abs(cs - rs) < 0.01) return
  const pct = (x: number): string => `${Number((x * 100).toPrecision(3))}%`
  notes.push(
    `Missing values ${cs > rs ? 'rose' : 'fell'} from ${pct(rs)} of the reference to ${pct(cs)} of current data.`,
  )
}

/** The chosen test's statistic and p-value (null where the test does not give one). */
function chosenStatistic(
  test: Choice['test'],
  stats: ColumnStats,
): { statistic: number | null; pValue: number | null } {
  switch (test) {
    case 'ks':
      return { statistic: stats.ks?.statistic ?? null, pValue: stats.ks?.pValue ?? null }
    case 'wasserstein':
      return { statistic: stats.wassersteinNormed, pValue: null }
    case 'psi':
      return { statistic: stats.psi, pValue: null }
    case 'jensenshannon':
      return { statistic: stats.jensenShannon, pValue: null }
    case 'chisquare':
      return { statistic: stats.chi2?.statistic ?? null, pValue: stats.chi2?.pValue ?? null }
    case 'z':
      return { statistic: stats.z?.statistic ?? null, pValue: stats.z?.pValue ?? null }
  }
}

export interface DriftSummary {
  datasetDrift: boolean
  driftShare: number
  driftedColumns: number
  testedColumns: number
}

/** Share of drifted columns among the tested ones; dataset drift at or above the settings' share. */
export function summarize(
  columns: readonly { test: DriftTest | null; statistic: number | null; drifted: boolean }[],
  share: number,
): DriftSummary {
  const tested = columns.filter((c) => c.test !== null && c.statistic !== null)
  const drifted = tested.filter((c) => c.drifted).length
  const driftShare = tested.length ? drifted / tested.length : 0
  return {
    datasetDrift: tested.length > 0 && driftShare >= share,
    driftShare,
    driftedColumns: drifted,
    testedColumns: tested.length,
  }
}

export const toWindowColumn = (c: ColumnDrift): DriftWindow['columns'][number] => ({
  name: c.name,
  test: c.test,
  statistic: c.statistic,
  pValue: c.pValue,
  drifted: c.drifted,
  severity: c.severity,
  missingShare: c.current.missingShare,
  rows: c.current.count,
  stats: c.stats,
})

const HOUR = 3_600_000
const DAY = 86_400_000

/** The window a timestamp falls in: its key and the window's start (UTC). */
export function windowKey(ms: number, unit: WindowUnit): number {
  switch (unit) {
    case 'hour':
      return Math.floor(ms / HOUR)
    case 'day':
      return Math.floor(ms / DAY)
    case 'week':
      // 1970-01-01 was a Thursday; weeks start on Monday.
      return Math.floor((Math.floor(ms / DAY) + 3) / 7)
    case 'month': {
      const d = new Date(ms)
      return d.getUTCFullYear() * 12 + d.getUTCMonth()
    }
  }
}

export function windowBounds(
  key: number,
  unit: WindowUnit,
): { start: number; end: number; label: string } {
  let start: number
  let end: number
  switch (unit) {
    case 'hour':
      start = key * HOUR
      end = start + HOUR
      break
    case 'day':
      start = key * DAY
      end = start + DAY
      break
    case 'week':
      start = (key * 7 - 3) * DAY
      end = start + 7 * DAY
      break
    case 'month':
      start = Date.UTC(Math.floor(key / 12), key % 12, 1)
      end = Date.UTC(Math.floor((key + 1) / 12), (key + 1) % 12, 1)
      break
  }
  const iso = new Date(start).toISOString()
  const label =
    unit === 'hour'
      ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
      : unit === 'month'
        ? iso.slice(0, 7)
        : unit === 'week'
          ? `week of ${iso.slice(0, 10)}`
          : iso.slice(0, 10)
  return { start, end, label }
}

export const MAX_WINDOWS = 1000

export interface WindowPlan {
  label: string
  start: string | null
  end: string | null
  rows: Uint32Array
}

/** Rows of current data per time window (windows without rows are left out), in time order. */
export function planTimeWindows(
  timestamps: Float64Array,
  unit: WindowUnit,
  column: string,
): { windows: WindowPlan[]; withoutTimestamp: number } {
  const keys = new Map<number, number>()
  let withoutTimestamp = 0
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] ?? NaN
    if (Number.isNaN(t)) withoutTimestamp++
    else {
      const k = windowKey(t, unit)
      keys.set(k, (keys.get(k) ?? 0) + 1)
    }
  }
  if (keys.size > MAX_WINDOWS) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `Column "${column}" spans ${keys.size} ${unit} windows (at most ${MAX_WINDOWS}); choose a longer window`,
    )
  }
  // In time order: a Map iterates in the order its keys were added.
  const byKey = new Map(
    [...keys]
      .sort((a, b) => a[0] - b[0])
      .map(([k, count]) => [k, { rows: new Uint32Array(count), filled: 0 }]),
  )
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] ?? NaN
    if (Number.isNaN(t)) continue
    const w = byKey.get(windowKey(t, unit))
    if (!w) throw new SlipwayError('INTERNAL', `${column}: row ${i} falls in no ${unit} window`)
    w.rows[w.filled++] = i
  }
  const windows = [...byKey].map(([k, w]) => {
    const b = windowBounds(k, unit)
    return {
      label: b.label,
      start: new Date(b.start).toISOString(),
      end: new Date(b.end).toISOString(),
      rows: w.rows,
    }
  })
  return { windows, withoutTimestamp }
}

/** N chunks of (nearly) equal size, in row order. */
export function planChunks(rowCount: number, chunks: number): WindowPlan[] {
  const out: WindowPlan[] = []
  for (let i = 0; i < chunks; i++) {
    const from = Math.floor((i * rowCount) / chunks)
    const to = Math.floor(((i + 1) * rowCount) / chunks)
    const rows = new Uint32Array(to - from)
    for (let r = from; r < to; r++) rows[r - from] = r
    out.push({ label: `rows ${from + 1}–${to}`, start: null, end: null, rows })
  }
  return out
}
