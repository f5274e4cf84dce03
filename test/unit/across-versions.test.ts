// Results across versions: the latest evaluation per version on one dataset, and a line per metric.
import { describe, expect, it } from 'vitest'
import type { EvaluationSummary } from '../../src/api/evaluation'
import { acrossVersions, metricLines } from '../../src/renderer/src/lib/charts/across-versions'

const evaluation = (
  id: number,
  version: number,
  datasetId: number,
  headline: Record<string, number | null>,
): EvaluationSummary =>
  ({
    id,
    version,
    model: 'churn',
    dataset: { id: datasetId, name: `d${datasetId}`, sha256: 'x', rows: 10 },
    headline,
    createdAt: '2026-01-01T00:00:00Z',
  }) as unknown as EvaluationSummary

describe('results across versions', () => {
  const list = [
    evaluation(1, 1, 7, { accuracy: 0.7, f1: null }),
    evaluation(2, 2, 7, { accuracy: 0.8, f1: 0.6 }),
    evaluation(3, 1, 7, { accuracy: 0.75, f1: 0.5 }),
    evaluation(4, 3, 9, { accuracy: 0.9, f1: 0.9 }),
  ]
  it('takes the latest evaluation of each version on the most used dataset, oldest version first', () => {
    const view = acrossVersions(list, null)
    expect(view.datasets.map((d) => [d.id, d.evaluations])).toEqual([
      [7, 3],
      [9, 1],
    ])
    expect(view.columns.map((c) => c.id)).toEqual([3, 2])
    expect(view.metrics).toEqual(['accuracy', 'f1'])
    expect(acrossVersions(list, 9).columns.map((c) => c.id)).toEqual([4])
  })
  it('draws one line per metric over the version numbers', () => {
    const lines = metricLines(acrossVersions(list, null), (key) => key.toUpperCase())
    expect(lines.map((l) => [l.label, l.points])).toEqual([
      [
        'ACCURACY',
        [
          { x: 1, y: 0.75 },
          { x: 2, y: 0.8 },
        ],
      ],
      [
        'F1',
        [
          { x: 1, y: 0.5 },
          { x: 2, y: 0.6 },
        ],
      ],
    ])
  })
})
