// Promotion gates: each rule checked with MLflow's MetricThreshold semantics against the
// champion's value, plus a single-row latency p95 ceiling. Pure; the service stores the report.
import {
  ClassificationMetrics,
  RegressionMetrics,
  type EvaluationResult,
  type GatePolicy,
  type GateRule,
} from '../../api/evaluation'
import { SlipwayError } from '../../api/errors'
import { metricLabel } from '../../api/metrics'

/** The single-number latency figures a rule may name as `latency.<key>`. */
const LATENCY_FIGURES = ['p50Ms', 'p95Ms', 'p99Ms', 'meanMs', 'rowsPerSecond'] as const

/** Every metric name a rule may use, whatever the task. */
export const GATE_METRICS: readonly string[] = [
  ...Object.keys(ClassificationMetrics.shape).filter(
    (k) => k !== 'confusionMatrix' && k !== 'labels',
  ),
  ...Object.keys(RegressionMetrics.shape),
  ...LATENCY_FIGURES.map((k) => `latency.${k}`),
]

/**
 * Refuses a policy naming a metric no evaluation has (a typo, `confusionMatrix`, `constructor`…)
 * before anything runs: such a rule would otherwise fail every version and look like a verdict.
 */
export function refuseUnknownMetrics(policy: GatePolicy, source = 'The gate policy'): void {
  policy.rules.forEach((rule, i) => {
    if (!GATE_METRICS.includes(rule.metric))
      throw new SlipwayError(
        'INVALID_INPUT',
        `${source}: rule ${i + 1} names metric "${rule.metric}", which no evaluation has (use one of ${GATE_METRICS.join(', ')})`,
      )
  })
}

export interface GateRuleOutcome {
  rule: string
  metric: string
  value: number | null
  baseline: number | null
  threshold: number | null
  passed: boolean
  why: string
}

const fmt = (v: number): string =>
  Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '')

/** The scalar metric of a result by name (`accuracy`, `f1Macro`, `rmse`, `latency.p95Ms`…). */
export function metricValue(
  result: EvaluationResult,
  metric: string,
): { value: number | null; reason: string | null } {
  if (metric.startsWith('latency.')) {
    const key = metric.slice('latency.'.length)
    if (!(LATENCY_FIGURES as readonly string[]).includes(key))
      throw new SlipwayError(
        'INVALID_INPUT',
        `The gate policy names "${metric}", which is not a latency figure (it has ${LATENCY_FIGURES.map((k) => `latency.${k}`).join(', ')})`,
      )
    const v = result.latency[key as (typeof LATENCY_FIGURES)[number]]
    return typeof v === 'number'
      ? { value: v, reason: null }
      : { value: null, reason: `no latency figure "${key}"` }
  }
  const metrics = result.metrics as Record<string, unknown>
  // Own scalar keys only: `constructor` or `confusionMatrix` are not metrics a rule can compare.
  if (
    !Object.hasOwn(metrics, metric) ||
    (typeof metrics[metric] !== 'number' && metrics[metric] !== null)
  ) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `The gate policy names metric "${metric}", which a ${result.task} evaluation does not have (it has ${Object.keys(
        metrics,
      )
        .filter((k) => typeof metrics[k] === 'number' || metrics[k] === null)
        .join(', ')})`,
    )
  }
  const v = metrics[metric]
  if (typeof v === 'number') return { value: v, reason: null }
  return { value: null, reason: result.reasons[metric] ?? 'undefined on this data' }
}

/**
 * A rule in the words people use, the same in the window, the CLI and stored reports:
 * "Log loss ≤ 0.2", "Accuracy at least 0.01 above the champion's", "F1 no worse than the champion's".
 */
export function describeRule(rule: GateRule): string {
  const name = metricLabel(rule.metric)
  const dir = rule.greaterIsBetter ? '≥' : '≤'
  const side = rule.greaterIsBetter ? 'above' : 'below'
  const parts: string[] = []
  if (rule.threshold !== undefined) parts.push(`${name} ${dir} ${fmt(rule.threshold)}`)
  if (rule.minAbsoluteChange !== undefined)
    parts.push(
      rule.minAbsoluteChange === 0
        ? `${name} no worse than the champion's`
        : `${name} at least ${fmt(rule.minAbsoluteChange)} ${side} the champion's`,
    )
  if (rule.minRelativeChange !== undefined)
    parts.push(
      rule.minRelativeChange === 0
        ? `${name} no worse than the champion's`
        : `${name} at least ${fmt(rule.minRelativeChange * 100)}% ${side} the champion's`,
    )
  return parts.length ? [...new Set(parts)].join('; ') : `${name} (no criterion)`
}

/**
 * One rule, as MLflow's MetricThreshold: `threshold` — value ≥ (or ≤) it; `minAbsoluteChange` —
 * value ≥ baseline + change (or ≤ baseline − change); `minRelativeChange` — value ≥ baseline ·
 * (1 + change) (or ≤ baseline · (1 − change)), and when the baseline is 0, simply better than it
 * by 1e-10. Change criteria without a champion cannot be checked: they pass and say so.
 */
export function checkRule(
  rule: GateRule,
  value: number | null,
  valueReason: string | null,
  baseline: number | null,
  hasChampion: boolean,
): GateRuleOutcome {
  const base = {
    rule: describeRule(rule),
    metric: rule.metric,
    value,
    baseline,
    threshold: rule.threshold ?? null,
  }
  if (value === null)
    return {
      ...base,
      passed: false,
      why: `${metricLabel(rule.metric)} is undefined: ${valueReason ?? 'no value'}`,
    }
  const better = (a: number, b: number): boolean => (rule.greaterIsBetter ? a >= b : a <= b)
  const reasons: string[] = []
  let passed = true
  if (rule.threshold !== undefined) {
    const ok = better(value, rule.threshold)
    passed &&= ok
    reasons.push(
      `${fmt(value)} ${ok ? (rule.greaterIsBetter ? '≥' : '≤') : rule.greaterIsBetter ? '<' : '>'} threshold ${fmt(rule.threshold)}`,
    )
  }
  const wantsChange = rule.minAbsoluteChange !== undefined || rule.minRelativeChange !== undefined
  if (wantsChange && !hasChampion) {
    reasons.push('no version holds the champion alias, so the change criteria were not checked')
  } else if (wantsChange && baseline === null) {
    passed = false
    reasons.push(
      `the champion's ${metricLabel(rule.metric)} is undefined, so the change cannot be measured`,
    )
  } else if (wantsChange && baseline !== null) {
    const sign = rule.greaterIsBetter ? 1 : -1
    if (rule.minAbsoluteChange !== undefined) {
      const target = baseline + sign * rule.minAbsoluteChange
      const ok = better(value, target)
      passed &&= ok
      reasons.push(
        `${ok ? 'meets' : 'misses'} the champion's ${fmt(baseline)} ${sign > 0 ? '+' : '−'} ${fmt(rule.minAbsoluteChange)} = ${fmt(target)}`,
      )
    }
    if (rule.minRelativeChange !== undefined) {
      let ok: boolean
      let target: number
      if (baseline === 0) {
        target = sign * 1e-10
        ok = better(value, target)
      } else {
        target = baseline * (1 + sign * rule.minRelativeChange)
        ok = better(value, target)
      }
      passed &&= ok
      reasons.push(
        `${ok ? 'meets' : 'misses'} the champion's ${fmt(baseline)} ${sign > 0 ? '+' : '−'} ${fmt(rule.minRelativeChange * 100)}% = ${fmt(target)}`,
      )
    }
  }
  if (!reasons.length) reasons.push('no criterion set')
  return { ...base, passed, why: reasons.join('; ') }
}

/** Every rule of the policy on the candidate's result, against the champion's result (if any). */
export function checkPolicy(
  policy: GatePolicy,
  candidate: EvaluationResult,
  champion: EvaluationResult | null,
): GateRuleOutcome[] {
  const out = policy.rules.map((rule) => {
    const { value, reason } = metricValue(candidate, rule.metric)
    const baseline = champion ? metricValue(champion, rule.metric).value : null
    return checkRule(rule, value, reason, baseline, champion !== null)
  })
  if (policy.latencyP95MaxMs !== undefined && policy.latencyP95MaxMs !== null) {
    const p95 = candidate.latency.p95Ms
    const ok = p95 <= policy.latencyP95MaxMs
    out.push({
      rule: `Latency p95 ≤ ${fmt(policy.latencyP95MaxMs)} ms`,
      metric: 'latency.p95Ms',
      value: p95,
      baseline: champion ? champion.latency.p95Ms : null,
      threshold: policy.latencyP95MaxMs,
      passed: ok,
      why: `single-row p95 ${fmt(p95)} ms ${ok ? '≤' : '>'} ${fmt(policy.latencyP95MaxMs)} ms`,
    })
  }
  return out
}
