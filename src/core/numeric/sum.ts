// Sums that match numpy to the last bits: numpy's own pairwise summation, and a Neumaier
// compensated sum (correctly rounded for all but pathological inputs) where the order of the
// values is not numpy's.

const PW_BLOCKSIZE = 128

/** numpy's pairwise summation (add.reduce on a contiguous float64 array), bit for bit. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0
    for (let i = 0; i < n; i++) res += a[start + i] ?? 0
    return res
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[start] ?? 0
    let r1 = a[start + 1] ?? 0
    let r2 = a[start + 2] ?? 0
    let r3 = a[start + 3] ?? 0
    let r4 = a[start + 4] ?? 0
    let r5 = a[start + 5] ?? 0
    let r6 = a[start + 6] ?? 0
    let r7 = a[start + 7] ?? 0
    let i = 8
    for (; i < n - (n % 8); i += 8) {
      const at = start + i
      r0 += a[at] ?? 0
      r1 += a[at + 1] ?? 0
      r2 += a[at + 2] ?? 0
      r3 += a[at + 3] ?? 0
      r4 += a[at + 4] ?? 0
      r5 += a[at + 5] ?? 0
      r6 += a[at + 6] ?? 0
      r7 += a[at + 7] ?? 0
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7))
    for (; i < n; i++) res += a[start + i] ?? 0
    return res
  }
  let n2 = Math.floor(n / 2)
  n2 -= n2 % 8
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2)
}

/** Neumaier's compensated sum of `values` (in their order). */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0
  let compensation = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0
    const t = sum + v
    if (Math.abs(sum) >= Math.abs(v)) compensation += sum - t + v
    else compensation += v - t + sum
    sum = t
  }
  return sum + compensation
}
