// Promotion-gate rules with MLflow MetricThreshold semantics, and the latency ceiling.
import { describe, expect, it } from 'vitest'
import type { EvaluationResult } from '../../src/api/evaluation'
import { checkPolicy, checkRule, describeRule, metricValue } from '../../src/core/evaluation/gates'

const result = (
  metrics: Record<string, number | null>,
  p95Ms = 2,
  reasons: Record<string, string> = {},
): EvaluationResult =>
  ({
    task: 'classification',
    metrics: { confusionMatrix: [], labels: [], ...metrics },
    reasons,
    latency: { p50Ms: 1, p95Ms, p99Ms: 3 },
  }) as unknown as EvaluationResult

describe('threshold', () => {
  it('greater is better: value ≥ threshold passes, equality included', () => {
    expect(
      checkRule(
        { metric: 'accuracy', threshold: 0.8, greaterIsBetter: true },
        0.8,
        null,
        null,
        false,
      ).passed,
    ).toBe(true)
    const fail = checkRule(
      { metric: 'accuracy', threshold: 0.8, greaterIsBetter: true },
      0.79,
      null,
      null,
      false,
    )
    expect(fail.passed).toBe(false)
    expect(fail.why).toBe('0.79 < threshold 0.8')
  })
  it('lower is better: value ≤ threshold passes', () => {
    expect(
      checkRule(
        { metric: 'logLoss', threshold: 0.4, greaterIsBetter: false },
        0.3,
        null,
        null,
        false,
      ).passed,
    ).toBe(true)
    expect(
      checkRule(
        { metric: 'logLoss', threshold: 0.4, greaterIsBetter: false },
        0.41,
        null,
        null,
        false,
      ).passed,
    ).toBe(false)
  })
})

describe('changes against the champion', () => {
  it('minAbsoluteChange: value ≥ baseline + change (greater is better)', () => {
    const rule = { metric: 'f1', minAbsoluteChange: 0.05, greaterIsBetter: true }
    expect(checkRule(rule, 0.86, null, 0.8, true).passed).toBe(true)
    const fail = checkRule(rule, 0.84, null, 0.8, true)
    expect(fail.passed).toBe(false)
    expect(fail.baseline).toBe(0.8)
    expect(fail.why).toMatch(/misses the champion's 0.8 \+ 0.05 = 0.85/)
  })
  it('minAbsoluteChange: value ≤ baseline − change (lower is better)', () => {
    const rule = { metric: 'rmse', minAbsoluteChange: 0.1, greaterIsBetter: false }
    expect(checkRule(rule, 0.39, null, 0.5, true).passed).toBe(true)
    expect(checkRule(rule, 0.45, null, 0.5, true).passed).toBe(false)
  })
  it('minRelativeChange: baseline · (1 ± change)', () => {
    const up = { metric: 'rocAuc', minRelativeChange: 0.05, greaterIsBetter: true }
    expect(checkRule(up, 0.845, null, 0.8, true).passed).toBe(true)
    expect(checkRule(up, 0.835, null, 0.8, true).passed).toBe(false)
    const down = { metric: 'logLoss', minRelativeChange: 0.2, greaterIsBetter: false }
    expect(checkRule(down, 0.39, null, 0.5, true).passed).toBe(true)
    expect(checkRule(down, 0.41, null, 0.5, true).passed).toBe(false)
  })
  it('a zero baseline only asks to be better by 1e-10', () => {
    const rule = { metric: 'mae', minRelativeChange: 0.5, greaterIsBetter: true }
    expect(checkRule(rule, 1e-9, null, 0, true).passed).toBe(true)
    expect(checkRule(rule, 0, null, 0, true).passed).toBe(false)
  })
  it('every criterion must hold', () => {
    const rule = {
      metric: 'accuracy',
      threshold: 0.9,
      minAbsoluteChange: 0.01,
      greaterIsBetter: true,
    }
    expect(checkRule(rule, 0.95, null, 0.93, true).passed).toBe(true)
    expect(checkRule(rule, 0.935, null, 0.93, true).passed).toBe(false)
    expect(checkRule(rule, 0.89, null, 0.5, true).passed).toBe(false)
  })
  it('without a champion the change criteria pass and say why', () => {
    const outcome = checkRule(
      { metric: 'f1', minAbsoluteChange: 0.05, greaterIsBetter: true },
      0.5,
      null,
      null,
      false,
    )
    expect(outcome.passed).toBe(true)
    expect(outcome.why).toMatch(/no version holds the champion alias/)
  })
  it("the champion's undefined metric fails the change criterion", () => {
    expect(
      checkRule(
        { metric: 'f1', minAbsoluteChange: 0.05, greaterIsBetter: true },
        0.5,
        null,
        null,
        true,
      ).passed,
    ).toBe(false)
  })
})

describe('policy', () => {
  it('an undefined metric fails with its reason', () => {
    const outcomes = checkPolicy(
      { rules: [{ metric: 'rocAuc', threshold: 0.7, greaterIsBetter: true }] },
      result({ rocAuc: null }, 1, { rocAuc: 'the model outputs no class probabilities' }),
      null,
    )
    expect(outcomes[0]).toMatchObject({
      passed: false,
      value: null,
      why: 'ROC AUC is undefined: the model outputs no class probabilities',
    })
  })
  it('latency p95 ceiling, with the champion as baseline', () => {
    const [ok] = checkPolicy({ rules: [], latencyP95MaxMs: 5 }, result({}, 4.9), result({}, 1))
    expect(ok).toMatchObject({ metric: 'latency.p95Ms', passed: true, value: 4.9, baseline: 1 })
    const [slow] = checkPolicy({ rules: [], latencyP95MaxMs: 5 }, result({}, 5.1), null)
    expect(slow!.passed).toBe(false)
    expect(slow!.why).toBe('single-row p95 5.1 ms > 5 ms')
  })
  it('a metric the task does not have is refused by name', () => {
    expect(() => metricValue(result({ accuracy: 0.9 }), 'mae')).toThrow(
      /names metric "mae", which a classification evaluation does not have \(it has accuracy\)/,
    )
  })
  it('rules may name latency figures too', () => {
    expect(metricValue(result({}, 7), 'latency.p95Ms').value).toBe(7)
  })

  it('names metrics as people do, and says which metric a change against the champion is about', () => {
    expect(describeRule({ metric: 'logLoss', threshold: 0.2, greaterIsBetter: false })).toBe(
      'Log loss ≤ 0.2',
    )
    expect(describeRule({ metric: 'accuracy', minAbsoluteChange: 0, greaterIsBetter: true })).toBe(
      "Accuracy no worse than the champion's",
    )
    expect(describeRule({ metric: 'rmse', minRelativeChange: 0.05, greaterIsBetter: false })).toBe(
      "RMSE at least 5% below the champion's",
    )
    expect(
      describeRule({
        metric: 'f1',
        threshold: 0.8,
        minAbsoluteChange: 0.01,
        greaterIsBetter: true,
      }),
    ).toBe("F1 ≥ 0.8; F1 at least 0.01 above the champion's")
  })
})
