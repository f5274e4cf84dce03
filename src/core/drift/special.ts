// Special functions behind the drift p-values, ported from scipy so the numbers agree with it:
// the two-sided one-sample Kolmogorov distribution (scipy.stats.kstwo, Simard & L'Ecuyer),
// the one-sided Smirnov tail (scipy.special.smirnov), chi-square and normal tails.

const EPS = 2.220446049250313e-16
const MINLOG = -708.3964185322641
const E128 = 128
const EP128 = 2 ** 128
const EM128 = 2 ** -128
const SQRT2PI = Math.sqrt(2 * Math.PI)
const LOG_2PI = Math.log(2 * Math.PI)
const MIN_LOG = -708
const SQRT3 = Math.sqrt(3)
const PI_SQUARED = Math.PI ** 2
const PI_FOUR = Math.PI ** 4
const PI_SIX = Math.PI ** 6

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p)

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) return r - 1
  return r
}

/** x · 2^e without intermediate overflow or underflow. */
function ldexp(x: number, e: number): number {
  let value = x
  let rest = e
  while (rest > 1000) {
    value *= 2 ** 1000
    rest -= 1000
  }
  while (rest < -1000) {
    value *= 2 ** -1000
    rest += 1000
  }
  return value * 2 ** rest
}

// Stirling coefficients B_{2j}/(2j)/(2j-1), j = 8..1 (scipy _ksstats).
const STIRLING_COEFFS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
]

function polyval(coeffs: readonly number[], x: number): number {
  let y = 0
  for (const c of coeffs) y = y * x + c
  return y
}

/** log(n! / n^n) */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1.0 / n
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n)
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k] ?? 0
      if (aik === 0) continue
      const rowB = k * m
      const rowO = i * m
      for (let j = 0; j < m; j++) out[rowO + j] = (out[rowO + j] ?? 0) + aik * (b[rowB + j] ?? 0)
    }
  }
  return out
}

/** Pr(D_n <= d) by Durbin's matrix algorithm as Marsaglia, Tsang & Wang compute it. */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1.0) return 1
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1.0
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1.0 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m
  v[m - 1] = (1.0 + tt) * fac
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)] ?? 0
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r] ?? 0
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] ?? 0

  let Hpwr: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1
  let nn = n
  let expnt = 0
  let Hexpnt = 0
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m)
      expnt += Hexpnt
    }
    H = matmul(H, H, m)
    Hexpnt *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)] ?? 0) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] ?? 0) / EP128
      Hexpnt += E128
    }
    nn = Math.floor(nn / 2)
  }
  let p = Hpwr[(k - 1) * m + (k - 1)] ?? 0
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= EP128
      expnt -= E128
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt)
  return clip01(p)
}

function pomeranzJ1J2(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number
  let j2: number
  if (i === 0) {
    j1 = -ll - ceilf - 1
    j2 = ll + ceilf - 1
  } else {
    const ip1div2 = Math.floor((i + 1) / 2)
    const ip1mod2 = (i + 1) % 2
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1
        j2 = n + ll + ceilf - 1
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1
        j2 = ip1div2 + ll - 1 + ceilf - 1
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1
      j2 = ip1div2 + ll + roundf - 1
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)]
}

/** Pr(D_n <= x) by the Pomeranz recursion. */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x
  const ll = Math.floor(t)
  const f = 1.0 * (t - ll)
  const g = Math.min(f, 1.0 - f)
  const ceilf = f > 0 ? 1 : 0
  const roundf = f > 0.5 ? 1 : 0
  const npwrs = 2 * (ll + 1)
  const gpower = new Float64Array(npwrs)
  const twogpower = new Float64Array(npwrs)
  const onem2gpower = new Float64Array(npwrs)
  gpower[0] = 1.0
  twogpower[0] = 1.0
  onem2gpower[0] = 1.0
  let expnt = 0
  const gOverN = g / n
  const twoGOverN = (2 * g) / n
  const oneMinusTwoGOverN = (1 - 2 * g) / n
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = ((gpower[m - 1] ?? 0) * gOverN) / m
    twogpower[m] = ((twogpower[m - 1] ?? 0) * twoGOverN) / m
    onem2gpower[m] = ((onem2gpower[m - 1] ?? 0) * oneMinusTwoGOverN) / m
  }
  let V0 = new Float64Array(npwrs)
  let V1 = new Float64Array(npwrs)
  V1[0] = 1
  let V0s = 0
  let V1s = 0
  let j1 = pomeranzJ1J2(0, n, ll, ceilf, roundf)[0]
  let j2: number
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1
    ;[V0, V1] = [V1, V0]
    ;[V0s, V1s] = [V1s, V0s]
    V1.fill(0.0)
    ;[j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf)
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower
    const ln2 = j2 - k1 + 1
    if (ln2 > 0) {
      const convStart = j1 - k1
      const convLen = j2 - j1 + 1
      const base = k1 - V0s
      for (let c = 0; c < convLen; c++) {
        const kk = convStart + c
        let s = 0
        // Full convolution of V0[base .. base+ln2) with pwrs[0 .. ln2), entry kk.
        const lo = Math.max(0, kk - (ln2 - 1))
        const hi = Math.min(kk, ln2 - 1)
        for (let a = lo; a <= hi; a++) s += (V0[base + a] ?? 0) * (pwrs[kk - a] ?? 0)
        V1[c] = s
      }
      let max = -Infinity
      for (const x of V1) if (x > max) max = x
      if (max > 0 && max < EM128) {
        for (let c = 0; c < V1.length; c++) V1[c] = (V1[c] ?? 0) * EP128
        expnt -= E128
      }
      V1s = V0s + j1 - k1
    }
  }
  let ans = V1[n - V1s] ?? 0
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128
      expnt += E128
    }
    ans *= m
  }
  if (expnt !== 0) ans = ldexp(ans, expnt)
  return clip01(ans)
}

/** Pelz–Good approximation to Pr(D_n <= x), unclipped as scipy returns it. */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0.0) return 0
  if (x >= 1.0) return 1
  const z = Math.sqrt(n) * x
  const zsquared = z ** 2
  const zthree = z ** 3
  const zfour = z ** 4
  const zsix = z ** 6
  const qlog = -PI_SQUARED / 8 / zsquared
  if (qlog < MIN_LOG) return 0
  let q = Math.exp(qlog)
  const k1a = -zsquared
  const k1b = PI_SQUARED / 4
  const k2a = 6 * zsix + 2 * zfour
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4
  const k3a = -30 * zsix - 90 * z ** 8
  const K: [number, number, number, number] = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const msquared = m ** 2
    const mfour = m ** 4
    const msix = m ** 6
    const qpower = q ** (8 * k)
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ]
    for (let i = 0; i < 4; i++) K[i] = (K[i] ?? 0) * qpower + (coeffs[i] ?? 0)
  }
  const divisors = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = ((K[i] ?? 0) * q * SQRT2PI) / (divisors[i] ?? 0)
  q = Math.exp(-PI_SQUARED / 2 / zsquared)
  const sqrt3z = SQRT3 * z
  let k2extra = 0
  let k3extra = 0
  for (let k = maxk; k > 0; k--) {
    const ksq = k * k
    const qp = q ** ksq
    k2extra += ksq * qp
    const kspi = Math.PI * k
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp
  }
  K[2] += k2extra * ((PI_SQUARED * SQRT2PI) / (-36 * zthree))
  K[3] += k3extra * ((PI_SQUARED * SQRT2PI) / (216 * zsix))
  let sum = 0
  for (let i = 0; i < 4; i++) sum += (K[i] ?? 0) / Math.pow(n * 1.0, i / 2.0)
  return sum
}

/** Exact floor(n·x) and remainder, using an error-free product (Dekker). */
function modNX(n: number, x: number): { nxfl: number; alpha: number; nx: number } {
  const p = n * x
  const split = (a: number): [number, number] => {
    const c = 134217729 * a
    const hi = c - (c - a)
    return [hi, a - hi]
  }
  const [nh, nl] = split(n)
  const [xh, xl] = split(x)
  const err = nh * xh - p + nh * xl + nl * xh + nl * xl
  let fl = Math.floor(p)
  let alpha = p - fl + err
  if (alpha < 0) {
    fl -= 1
    alpha += 1
  } else if (alpha >= 1) {
    fl += 1
    alpha -= 1
  }
  return { nxfl: fl, alpha, nx: p }
}

/** Survival function of the one-sided Smirnov statistic D_n^+ (scipy.special.smirnov). */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN
  if (n === 1) return 1 - x
  if (x === 0.0) return 1.0
  if (x === 1.0) return 0.0
  const { nxfl, alpha, nx } = modNX(n, x)
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1)
  if (alpha === 0) n1mxfl -= 1
  void nx
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = (1 + x) ** (n - 1)
    return clip01(1 - x * t)
  }
  if (-2 * n * x * x < MINLOG) return 0
  if (nxfl >= n - 1) return clip01((1 - x) ** n)
  if (n > 1_000_000) {
    const logp = -((6.0 * n * x + 1) ** 2) / 18.0 / n
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp))
  }
  // Lower sum of Birnbaum–Tingey terms A_v = C(n,v)(1-x-v/n)^(n-v)(x+v/n)^(v-1), all positive.
  // scipy switches to an alternating upper sum only for nx < 3 with x <= 0.5/sqrt(n), a region
  // the two-sided callers below never reach; the lower sum is exact there too. Terms are formed
  // in logs (scipy uses double-double), so relative agreement is ~1e-12, not bit-exact.
  const nTerms = n1mxfl + 1
  const vmid = Math.floor(n / 2)
  let sum = 0
  let comp = 0
  const add = (value: number): void => {
    const t = sum + value
    comp += Math.abs(sum) >= Math.abs(value) ? sum - t + value : value - t + sum
    sum = t
  }
  add(Math.exp(n * Math.log1p(-x)) / x)
  // log C(n, v) is accumulated with a compensation term: it grows to ~n·ln 2 and plain
  // summation would lose ~1e-9 relative on the terms over 1e5 steps.
  let logC = Math.log(n)
  let logCLow = 0
  for (let j = 1; j < nTerms; j++) {
    const v = j
    const rest = (n - v) * Math.log1p(-(x + v / n)) + (v - 1) * Math.log(x + v / n)
    const aj = Math.exp(logC + rest + logCLow)
    if (Number.isFinite(aj) && aj !== 0) add(aj)
    if (aj !== 0) {
      if (4 * (nTerms - j) * Math.abs(aj) < EPS * (sum + comp) && j !== nTerms - 1) break
    } else if (j > vmid) break
    const inc = Math.log((n - j) / (j + 1))
    const t = logC + inc
    logCLow += Math.abs(logC) >= Math.abs(inc) ? logC - t + inc : inc - t + logC
    logC = t
  }
  return clip01(x * (sum + comp))
}

/** Survival function of the two-sided one-sample KS statistic: scipy.stats.kstwo.sf(x, n). */
export function kstwoSf(x: number, n: number): number {
  if (!(n >= 1) || n !== Math.round(n) || Number.isNaN(x)) return NaN
  // rv_continuous.sf: 1 at or below the support's lower end 0.5/n, 0 at or above 1.
  if (x <= 0.5 / n) return 1
  if (x >= 1) return 0
  const t = n * x
  if (t <= 1.0) {
    if (t <= 0.5) return 1
    let prob: number
    if (n <= 140) {
      prob = 1
      for (let i = 1; i <= n; i++) prob *= i * (1.0 / n) * (2 * t - 1)
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1))
    }
    return clip01(1.0 - prob)
  }
  if (t >= n - 1) return clip01(2 * (1.0 - x) ** n)
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x))
  const nxsquared = t * x
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1.0 - kolmognDMTW(n, x))
    if (nxsquared <= 4) return clip01(1.0 - kolmognPomeranz(n, x))
    return clip01(2 * smirnovSf(n, x))
  }
  if (nxsquared >= 370.0) return 0.0
  if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, x))
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? kolmognDMTW(n, x) : kolmognPelzGood(n, x)
  return clip01(1.0 - cdf)
}

// Lanczos approximation (Numerical Recipes, 3rd ed.), relative error below 1e-15.
const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  0.00003399464998481189, 0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125,
  -0.00021026444172410488, 0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275,
  -0.000026190838401581408, 0.0000036899182659531625,
]

export function logGamma(xx: number): number {
  if (xx === 1 || xx === 2) return 0
  if (xx === 0.5) return 0.5723649429247001
  let y = xx
  const x = xx
  let tmp = x + 5.2421875
  tmp = (x + 0.5) * Math.log(tmp) - tmp
  let ser = 0.9999999999999971
  for (const c of LANCZOS) ser += c / ++y
  return tmp + Math.log((2.5066282746310007 * ser) / x)
}

/** Regularized upper incomplete gamma Q(a, x), by series or Lentz continued fraction. */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return NaN
  if (x === 0) return 1
  if (!Number.isFinite(x)) return 0
  const logFactor = a * Math.log(x) - x - logGamma(a)
  if (x < a + 1) {
    // P(a, x) by its series, Q = 1 - P.
    let ap = a
    let del = 1 / a
    let sum = del
    for (let i = 0; i < 100000; i++) {
      ap += 1
      del *= x / ap
      sum += del
      if (Math.abs(del) < Math.abs(sum) * EPS) break
    }
    return clip01(1 - sum * Math.exp(logFactor))
  }
  const FPMIN = 1e-300
  let b = x + 1 - a
  let c = 1 / FPMIN
  let d = 1 / b
  let h = d
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < FPMIN) d = FPMIN
    c = b + an / c
    if (Math.abs(c) < FPMIN) c = FPMIN
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < EPS) break
  }
  return clip01(Math.exp(logFactor) * h)
}

/** scipy.stats.chi2.sf(x, dof). */
export const chi2Sf = (x: number, dof: number): number => (x <= 0 ? 1 : gammaQ(dof / 2, x / 2))

/** scipy.stats.norm.sf(z) for z >= 0 (erfc(z/√2)/2); symmetric below 0. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN
  if (z < 0) return 1 - normalSf(-z)
  if (z === 0) return 0.5
  return gammaQ(0.5, (z * z) / 2) / 2
}
