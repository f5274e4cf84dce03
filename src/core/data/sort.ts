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
