// Sorting numbers: LSD radix sorts on the IEEE-754 bits (float64) and on uint32 keys. Measured
// several times faster than TypedArray#sort on the million-value columns profiles, drift and
// ROC curves sort.

const SMALL = 4096

/** Count tables of the three digits of a 32-bit key: 11, 11 and 10 bits. */
const digitCounts = (): [Uint32Array, Uint32Array, Uint32Array] => [
  new Uint32Array(2048),
  new Uint32Array(2048),
  new Uint32Array(1024),
]

/** The three LSD passes over those digits: count table, shift, mask. */
const passesOver = (
  low: Uint32Array,
  mid: Uint32Array,
  high: Uint32Array,
): [Uint32Array, number, number][] => [
  [low, 0, 2047],
  [mid, 11, 2047],
  [high, 22, 1023],
]

/**
 * Turns a digit's counts into the first output position of each digit value; true when every
 * key has the same digit, so the pass can be skipped.
 */
function toOffsets(count: Uint32Array, mask: number, n: number): boolean {
  let same = false
  let sum = 0
  for (let d = 0; d <= mask; d++) {
    const c = count[d] ?? 0
    if (c === n) same = true
    count[d] = sum
    sum += c
  }
  return same
}

/**
 * Sorts NaN-free float64 values in place, ascending (-0 before +0, as TypedArray#sort), and
 * returns them. Keys are the bits made order-preserving (negatives flipped whole, the rest get
 * the sign bit), as a high and a low 32-bit word. Three LSD passes (11, 11, 10 bits) order the
 * values by their high word — sign, exponent and 20 bits of mantissa, which already separate
 * almost all real-world values — then each run of equal high words is ordered by its low word:
 * an insertion sort for short runs, the uint32 radix sort for long ones. Half the passes of a
 * full 64-bit LSD sort; a pass is skipped when every value shares its digit.
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length
  if (n <= SMALL) return values.sort()
  if (sortScaledIntegers(values)) return values
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2)
  let lo = new Uint32Array(n)
  let hi = new Uint32Array(n)
  const [c0, c1, c2] = digitCounts()
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1] ?? 0
    let l = words[2 * i] ?? 0
    if (h & 0x80000000) {
      h = ~h >>> 0
      l = ~l >>> 0
    } else h = (h | 0x80000000) >>> 0
    hi[i] = h
    lo[i] = l
    const d0 = h & 2047
    const d1 = (h >>> 11) & 2047
    const d2 = h >>> 22
    c0[d0] = (c0[d0] ?? 0) + 1
    c1[d1] = (c1[d1] ?? 0) + 1
    c2[d2] = (c2[d2] ?? 0) + 1
  }
  let loOut = new Uint32Array(n)
  let hiOut = new Uint32Array(n)
  for (const [count, shift, mask] of passesOver(c0, c1, c2)) {
    if (toOffsets(count, mask, n)) continue
    for (let i = 0; i < n; i++) {
      const h = hi[i] ?? 0
      const digit = (h >>> shift) & mask
      const at = count[digit] ?? 0
      count[digit] = at + 1
      hiOut[at] = h
      loOut[at] = lo[i] ?? 0
    }
    ;[lo, loOut] = [loOut, lo]
    ;[hi, hiOut] = [hiOut, hi]
  }
  // Runs of equal high words, ordered by their low words.
  for (let start = 0; start < n;) {
    const h = hi[start] ?? 0
    let end = start + 1
    while (end < n && hi[end] === h) end++
    const length = end - start
    if (length > 32) {
      const sorted = sortUint32(lo.slice(start, end))
      lo.set(sorted, start)
    } else if (length > 1) {
      for (let i = start + 1; i < end; i++) {
        const v = lo[i] ?? 0
        let j = i - 1
        while (j >= start && (lo[j] ?? 0) > v) {
          lo[j + 1] = lo[j] ?? 0
          j--
        }
        lo[j + 1] = v
      }
    }
    start = end
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i] ?? 0
    const l = lo[i] ?? 0
    if (h & 0x80000000) {
      words[2 * i + 1] = h & 0x7fffffff
      words[2 * i] = l
    } else {
      words[2 * i + 1] = ~h >>> 0
      words[2 * i] = ~l >>> 0
    }
  }
  return values
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
const MAX_DECIMALS = POW10.length - 1

/** How a column of decimals maps onto integers: v = m / p exactly, m in [low, high]. */
export interface DecimalScale {
  /** 10^d for the fewest decimals d (at most 9) every value needs. */
  p: number
  /** round(min·p) and round(max·p): the extreme integers, each within ±2^53. */
  low: number
  high: number
  /** How many -0 the values hold (they map to the same integer as +0). */
  negativeZeros: number
}

/**
 * The scale of NaN-free values that are all decimals with at most 9 digits after the point (what
 * a CSV of exported features or counts holds): the fewest decimals d such that each value v is
 * m / 10^d for an integer m = round(v·10^d), with the extremes within ±2^53. Null when a value is
 * not such a decimal. Only the extremes are checked at the final scale here: a caller mapping
 * values to integers checks each value again at that scale (`m / p === v`) as it goes, since a
 * value checked at fewer decimals may not pass at more, near 2^53.
 */
export function decimalScale(values: Float64Array): DecimalScale | null {
  const n = values.length
  let d = 0
  let p = 1
  let min = Infinity
  let max = -Infinity
  let negativeZeros = 0
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? NaN
    if (Math.round(v * p) / p !== v) {
      while (d < MAX_DECIMALS && Math.round(v * p) / p !== v) p = POW10[++d] ?? Infinity
      if (Math.round(v * p) / p !== v) return null
    }
    if (v < min) min = v
    if (v > max) max = v
    if (v === 0 && 1 / v < 0) negativeZeros++
  }
  const low = Math.round(min * p)
  const high = Math.round(max * p)
  if (!(Math.abs(low) <= 2 ** 53 && Math.abs(high) <= 2 ** 53)) return null
  return { p, low, high, negativeZeros }
}

/**
 * Sorts decimals (see decimalScale) as integers: v ↦ m is one-to-one and keeps the order, so the
 * keys m − low (decimalKeys) are sorted with the 32-bit radix sort (half the bytes of the float64
 * sort, no second word) and written back as m / p, the very same doubles. Returns false, with
 * `values` unchanged, when a value is not such a decimal, or the keys span 2^32 or more.
 */
function sortScaledIntegers(values: Float64Array): boolean {
  const n = values.length
  const keyed = decimalKeys(values)
  if (!keyed) return false
  const { p, low, span, negativeZeros } = keyed
  const sorted = sortUint32(keyed.keys, undefined, span - 1)
  for (let i = 0; i < n; i++) values[i] = ((sorted[i] ?? 0) + low) / p
  // -0 and +0 have the same key; the -0s go first among the zeros, as TypedArray#sort puts them.
  if (negativeZeros > 0) {
    const firstZero = values.indexOf(0)
    values.fill(-0, firstZero, firstZero + negativeZeros)
  }
  return true
}

/** A sorted copy of NaN-free `values`; `values` itself is left as it was. */
export const sortedCopy = (values: Float64Array): Float64Array => sortFloat64(values.slice())

/**
 * Sorts unsigned 32-bit keys ascending: LSD radix over digits whose counts are all taken in one
 * pass, a pass skipped when every key shares its digit. Three digits of 11, 11 and 10 bits by
 * default; a caller that knows every key is at most `maxKey` gets two: 11 + 11 bits below 2^22,
 * 14 + 14 below 2^28 (one pass fewer; measured 16 against 20 ms on a million 27-bit keys — the
 * 64 KiB count tables still stay in cache). Three of 11 bits measured ~2× faster than two of 16
 * on 500k keys in a cold worker. Returns `keys` itself, or `scratch` (when at least n long) or
 * a new array; `keys` may be overwritten.
 */
export function sortUint32(keys: Uint32Array, scratch?: Uint32Array, maxKey?: number): Uint32Array {
  const n = keys.length
  if (n <= 1) return keys
  const bits = maxKey === undefined || maxKey >= 2 ** 28 ? 0 : maxKey < 2 ** 22 ? 11 : 14
  const passes: [Uint32Array, number, number][] = []
  if (bits > 0) {
    const mask = (1 << bits) - 1
    const low = new Uint32Array(mask + 1)
    const high = new Uint32Array(mask + 1)
    for (let i = 0; i < n; i++) {
      const k = keys[i] ?? 0
      const d0 = k & mask
      const d1 = k >>> bits
      low[d0] = (low[d0] ?? 0) + 1
      high[d1] = (high[d1] ?? 0) + 1
    }
    passes.push([low, 0, mask], [high, bits, mask])
  } else {
    const [low, mid, high] = digitCounts()
    for (let i = 0; i < n; i++) {
      const k = keys[i] ?? 0
      const d0 = k & 2047
      const d1 = (k >>> 11) & 2047
      const d2 = k >>> 22
      low[d0] = (low[d0] ?? 0) + 1
      mid[d1] = (mid[d1] ?? 0) + 1
      high[d2] = (high[d2] ?? 0) + 1
    }
    passes.push(...passesOver(low, mid, high))
  }
  let src: Uint32Array = keys
  let dst: Uint32Array = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Uint32Array(n)
  for (const [count, shift, mask] of passes) {
    if (toOffsets(count, mask, n)) continue
    for (let i = 0; i < n; i++) {
      const k = src[i] ?? 0
      const digit = (k >>> shift) & mask
      const at = count[digit] ?? 0
      count[digit] = at + 1
      dst[at] = k
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}

/** Decimals as integer keys: value i is (keys[i] + low) / p exactly, every key below `span`. */
export interface DecimalKeys {
  p: number
  low: number
  span: number
  /** How many -0 the values hold (they have the key of +0). */
  negativeZeros: number
  keys: Uint32Array
  /** A second buffer of n keys for a sort, when the caller lent them. */
  spare?: Uint32Array
}

/** A scan at one scale: its keys' range as deltas from the first value's integer, or why not. */
type KeyScan =
  | { ok: true; first: number; lo: number; hi: number; negativeZeros: number }
  | { ok: false; failedAt: number }
  | { ok: false; wide: true }

/**
 * Each value's integer m = round(v·p) less the first one's, as int32 into `deltas`, checking
 * m / p === v as it goes: the scale's check and the keys in one pass. Cells `missing` marks must
 * be NaN and get the first value's key.
 */
function scanAt(
  values: Float64Array,
  p: number,
  deltas: Int32Array,
  missing: Uint8Array | undefined,
): KeyScan {
  const n = values.length
  let start = 0
  if (missing) while (start < n && missing[start]) start++
  const v0 = values[start] ?? NaN
  const first = Math.round(v0 * p)
  if (first / p !== v0) return { ok: false, failedAt: start }
  let lo = 0
  let hi = 0
  let negativeZeros = 0
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? NaN
    if (missing?.[i]) {
      // A missing cell holding a number is not what a reader stores: no keys.
      if (v === v) return { ok: false, wide: true }
      deltas[i] = 0
      continue
    }
    const m = Math.round(v * p)
    if (m / p !== v) return { ok: false, failedAt: i }
    const delta = m - first
    if (delta < lo) {
      if (delta < -0x80000000) return { ok: false, wide: true }
      lo = delta
    } else if (delta > hi) {
      if (delta > 0x7fffffff) return { ok: false, wide: true }
      hi = delta
    }
    deltas[i] = delta
    if (v === 0 && 1 / v < 0) negativeZeros++
  }
  return { ok: true, first, lo, hi, negativeZeros }
}

/**
 * NaN-free decimals (see decimalScale) as 32-bit integer keys m − low, in `scratch`'s buffers
 * when lent; null when a value is not such a decimal or the keys span 2^32 or more. One pass
 * finds the scale and the keys together (a value needing more decimals than those before it
 * restarts the pass at the new scale, at most nine times and in practice at the first values);
 * only keys spread beyond ±2^31 of the first value take decimalScale's pass and a second one.
 * With `missing`, the cells it marks (which must hold NaN) are left out and get some valid key.
 */
export function decimalKeys(
  values: Float64Array,
  scratch?: KeyScratch,
  missing?: Uint8Array,
): DecimalKeys | null {
  const n = values.length
  if (n === 0 || (missing && !missing.includes(0))) return null
  if (!missing) {
    const kept = scratch?.kept(values)
    if (kept) return kept
  }
  const [keys, spare] = scratch?.take(n) ?? [new Uint32Array(n), undefined]
  const deltas = new Int32Array(keys.buffer, keys.byteOffset, n)
  let d = 0
  let p = 1
  for (;;) {
    const scan = scanAt(values, p, deltas, missing)
    if (scan.ok) {
      const low = scan.first + scan.lo
      const high = scan.first + scan.hi
      if (!(Math.abs(low) <= 2 ** 53 && Math.abs(high) <= 2 ** 53)) return null
      for (let i = 0; i < n; i++) keys[i] = ((deltas[i] ?? 0) - scan.lo) >>> 0
      const keyed = { p, low, span: high - low + 1, negativeZeros: scan.negativeZeros, keys, spare }
      if (!missing) scratch?.keep(values, keyed)
      return keyed
    }
    if ('wide' in scan) return missing ? null : keysByScale(values, keys, spare)
    const v = values[scan.failedAt] ?? NaN
    const before = d
    while (d < MAX_DECIMALS && Math.round(v * p) / p !== v) p = POW10[++d] ?? Infinity
    if (d === before || Math.round(v * p) / p !== v) return null
  }
}

/** decimalKeys for keys spread wider than int32 deltas: decimalScale's pass, then the keys. */
function keysByScale(
  values: Float64Array,
  keys: Uint32Array,
  spare: Uint32Array | undefined,
): DecimalKeys | null {
  const scale = decimalScale(values)
  if (!scale) return null
  const { p, low, high, negativeZeros } = scale
  if (high - low >= 2 ** 32) return null
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN
    const m = Math.round(v * p)
    if (m / p !== v) return null
    keys[i] = m - low
  }
  return { p, low, span: high - low + 1, negativeZeros, keys, spare }
}

/**
 * Two reusable key buffers for a thread that sorts many columns of the same length in a row (a
 * profile): fresh buffers for each would cost their page faults every time, which on a VM is a
 * good part of the sort.
 */
export class KeyScratch {
  private keys = new Uint32Array(0)
  private spare = new Uint32Array(0)
  /** The column whose keys (all its values, none left out) the buffers hold, and how. */
  private held: { values: Float64Array; keyed: DecimalKeys } | undefined
  /** Two distinct buffers of n keys each (views of the kept ones, grown as needed). */
  take(n: number): [Uint32Array, Uint32Array] {
    this.held = undefined
    if (this.keys.length < n) {
      this.keys = new Uint32Array(n)
      this.spare = new Uint32Array(n)
    }
    return [this.keys.subarray(0, n), this.spare.subarray(0, n)]
  }
  /**
   * Keeps the keys just computed for `values` (every value keyed), so the next caller asking
   * for the same column's keys — the profile after the snapshot wrote them — gets them free.
   */
  keep(values: Float64Array, keyed: DecimalKeys): void {
    this.held = { values, keyed }
  }
  /** The keys kept for `values`, if they are still in the buffers; given once. */
  kept(values: Float64Array): DecimalKeys | undefined {
    const held = this.held?.values === values ? this.held.keyed : undefined
    this.held = undefined
    return held
  }
  /** The buffers are about to be overwritten (a sort of the keys): nothing is kept. */
  forget(): void {
    this.held = undefined
  }
}
