// Hand-picked evaluations side by side (as MLflow's run comparison): one row per metric any of
// them has, one column per evaluation, the best value of each row marked.
import type { Evaluation } from '../../../api/evaluation'
import { metricInfo } from '../../../api/metrics'

export interface SideBySideRow {
  key: string
  values: (number | null)[]
  /** Columns holding the row's best value (ties all marked); empty when fewer than two values. */
  best: number[]
}

/** The scalar metrics of a result: arrays (the confusion matrix, labels) are not compared. */
function scalarMetrics(evaluation: Evaluation): [string, number | null][] {
  return Object.entries(evaluation.result.metrics).filter(
    (entry): entry is [string, number | null] => entry[1] === null || typeof entry[1] === 'number',
  )
}

export function sideBySide(evaluations: readonly Evaluation[]): SideBySideRow[] {
  const keys: string[] = []
  for (const evaluation of evaluations)
    for (const [key] of scalarMetrics(evaluation)) if (!keys.includes(key)) keys.push(key)
  const latency = 'latencyP95Ms'
  const rows = keys.map((key) => ({
    key,
    values: evaluations.map(
      (evaluation) => scalarMetrics(evaluation).find(([k]) => k === key)?.[1] ?? null,
    ),
  }))
  rows.push({ key: latency, values: evaluations.map((e) => e.result.latency.p95Ms) })
  return rows.map((row) => {
    const finite = row.values.filter((v): v is number => v !== null && Number.isFinite(v))
    if (finite.length < 2) return { ...row, best: [] }
    const target = metricInfo(row.key).greaterIsBetter ? Math.max(...finite) : Math.min(...finite)
    return {
      ...row,
      best: row.values.flatMap((value, index) => (value === target ? [index] : [])),
    }
  })
}
