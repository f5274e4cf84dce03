// Drift numbers written for people: statistics, p-values, shares.

/** A statistic with 4 significant decimals; tiny or huge values in exponent form. */
export function formatStatistic(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude < 1e-4 || magnitude >= 1e6) return value.toExponential(2)
  return value.toFixed(4)
}

/** A p-value: `< 1e-16` at the floor of double precision, exponent form below 0.001. */
export function formatPValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '< 1e-16'
  if (value < 0.001) return value.toExponential(2)
  return value.toFixed(4)
}

/** `0.5` → `50%`, `0.125` → `12.5%`. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—'
  const percent = share * 100
  const rounded = Math.round(percent * 10) / 10
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`
}

/** The names people read in the table, for the contract's test ids. */
const TEST_NAMES: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov',
  wasserstein: 'Wasserstein (normed)',
  psi: 'PSI',
  jensenshannon: 'Jensen–Shannon',
  chisquare: 'Chi-square',
  z: 'Z-test (proportions)',
}

export function testLabel(test: string | null): string {
  if (test === null) return 'not tested'
  return TEST_NAMES[test] ?? test
}
