// The renderer's pure chart-data functions: curves, histograms, heatmap shading, business value,
// metric formatting and latency comparisons.
import { describe, expect, it } from 'vitest'
import {
  betterSide,
  latencyBarGroups,
  latencyRows,
} from '../../src/renderer/src/lib/charts/latency'
import {
  heatmapCells,
  formatShare,
  shade,
  shadeAlpha,
} from '../../src/renderer/src/lib/charts/heatmap'
import {
  binValues,
  edgeDecimals,
  formatEdge,
  histogramBars,
} from '../../src/renderer/src/lib/charts/histogram'
import {
  formatDelta,
  formatMetric,
  metricCards,
  metricColumns,
} from '../../src/renderer/src/lib/charts/metrics'
import {
  bestPoint,
  businessValueChart,
  calibrationSeries,
  predictedVsActual,
  prSeries,
  rocSeries,
  thinPoints,
} from '../../src/renderer/src/lib/charts/series'

const curve = (x: number[], y: number[], label = '1') => ({
  label,
  x,
  y,
  thresholds: x.map(() => null),
  thinned: false,
})

describe('curves', () => {
  it('turns ROC points into one line per class plus the chance diagonal', () => {
    const lines = rocSeries([curve([0, 0.1, 0.4, 1], [0, 0.6, 0.9, 1])])
    expect(lines).toHaveLength(2)
    expect(lines[0]?.points).toEqual([
      { x: 0, y: 0 },
      { x: 0.1, y: 0.6 },
      { x: 0.4, y: 0.9 },
      { x: 1, y: 1 },
    ])
    expect(lines[0]?.label).toBe('Model (positive: 1)')
    expect(lines[1]).toMatchObject({ label: 'Chance', reference: true })
    expect(lines[1]?.points).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ])
  })

  it('labels one-vs-rest curves by class, drops non-finite points and gives no chance line without curves', () => {
    const lines = rocSeries([curve([0, NaN, 1], [0, 0.5, 1], 'a'), curve([0, 1], [0, 1], 'b')])
    expect(lines.map((line) => line.label)).toEqual(['a vs rest', 'b vs rest', 'Chance'])
    expect(lines[0]?.points).toHaveLength(2)
    expect(lines[0]?.color).not.toBe(lines[1]?.color)
    expect(rocSeries([])).toEqual([])
  })

  it('draws the PR no-skill line at the positive share', () => {
    const lines = prSeries([curve([1, 0.5, 0], [0.4, 0.8, 1])], 0.4)
    expect(lines[1]?.points).toEqual([
      { x: 0, y: 0.4 },
      { x: 1, y: 0.4 },
    ])
    expect(prSeries([curve([1, 0], [0.4, 1])], null)).toHaveLength(1)
  })

  it('thins long curves keeping the first and last point', () => {
    const points = Array.from({ length: 1001 }, (_, i) => i)
    const kept = thinPoints(points, 11)
    expect(kept).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    expect(thinPoints([1, 2, 3], 10)).toEqual([1, 2, 3])
  })

  it('leaves empty calibration bins out and adds the diagonal', () => {
    const [model, diagonal] = calibrationSeries({
      meanPredicted: [0.05, 0.15, 0.25],
      fractionPositive: [0.1, 0, 0.3],
      counts: [10, 0, 5],
    })
    expect(model?.points).toEqual([
      { x: 0.05, y: 0.1 },
      { x: 0.25, y: 0.3 },
    ])
    expect(model?.showPoints).toBe(true)
    expect(diagonal).toMatchObject({ label: 'Perfectly calibrated', reference: true })
  })

  it('draws predicted against actual with the identity line over both ranges', () => {
    const scatter = predictedVsActual([1, 2, NaN, 5], [1.5, -1, 3, 4])
    expect(scatter.points).toEqual([
      { x: 1, y: 1.5 },
      { x: 2, y: -1 },
      { x: 5, y: 4 },
    ])
    expect(scatter.identity).toEqual([
      { x: -1, y: -1 },
      { x: 5, y: 5 },
    ])
    expect(predictedVsActual([], []).identity).toBeNull()
  })
})

describe('histograms', () => {
  it('labels bins by their range with just enough decimals', () => {
    const bars = histogramBars({ counts: [3, 5], edges: [0, 0.25, 0.5] })
    expect(bars).toEqual([
      { label: '0.00–0.25', low: 0, high: 0.25, count: 3 },
      { label: '0.25–0.50', low: 0.25, high: 0.5, count: 5 },
    ])
    expect(
      histogramBars({ counts: [1, 1], edges: [-0.5, -0.25, 0] }).map((bar) => bar.label),
    ).toEqual(['−0.50–−0.25', '−0.25–0.00'])
    expect(edgeDecimals([0, 10, 20])).toBe(0)
    expect(edgeDecimals([0, 0.001, 0.002])).toBe(3)
    expect(edgeDecimals([0.001, 0.0015, 0.002])).toBe(4)
    // One formatEdge for every chart: open ends, a real minus sign, no "−0".
    expect(formatEdge(-Infinity, 2)).toBe('−∞')
    expect(formatEdge(Infinity, 2)).toBe('∞')
    expect(formatEdge(-0.001, 2)).toBe('0.00')
    expect(formatEdge(-2.5e-7, 2)).toBe('−2.50e-7')
    expect(histogramBars({ counts: [1, 2], edges: [0, 1] })).toEqual([])
  })

  it('bins values like numpy: the last bin holds the maximum; non-finite values are counted apart', () => {
    const binned = binValues([0, 1, 2, 3, 4, NaN, Infinity], 4)
    expect(binned.edges).toEqual([0, 1, 2, 3, 4])
    expect(binned.counts).toEqual([1, 1, 1, 2])
    expect(binned.skipped).toBe(2)
    const single = binValues([7, 7], 3)
    expect(single.counts.reduce((a, b) => a + b, 0)).toBe(2)
    expect(single.edges[0]).toBe(6.5)
    expect(binValues([NaN], 3).counts).toEqual([])
    expect(binValues([0.5, 2], 2, [0, 1])).toMatchObject({ counts: [0, 1], skipped: 1 })
  })
})

describe('heatmap shading', () => {
  it('maps a share to an opacity with a visible floor and no colour for zero', () => {
    expect(shadeAlpha(0)).toBe(0)
    expect(shadeAlpha(1)).toBeCloseTo(0.9)
    expect(shadeAlpha(0.001)).toBeGreaterThan(0.04)
    expect(shadeAlpha(2)).toBeCloseTo(0.9)
    expect(shadeAlpha(NaN)).toBe(0)
    expect(shade(0, [0, 0, 0]).background).toBe('transparent')
  })

  it('switches to white text on dark cells', () => {
    expect(shade(0.2, [35, 87, 198]).color).toBe('#1d2330')
    expect(shade(0.9, [35, 87, 198]).color).toBe('#ffffff')
  })

  it('shades a confusion matrix by row so a rare class is as visible as a common one', () => {
    const cells = heatmapCells(
      [
        [90, 10],
        [1, 9],
      ],
      'row',
    )
    expect(cells[0]?.[0]?.share).toBeCloseTo(0.9)
    expect(cells[1]?.[1]?.share).toBeCloseTo(0.9)
    expect(cells[1]?.[1]?.background).toBe(cells[0]?.[0]?.background)
    expect(cells[0]?.[1]?.diagonal).toBe(false)
  })

  it('shades a flip matrix by total with disagreements in the warning colour', () => {
    const cells = heatmapCells(
      [
        [50, 25],
        [0, 25],
      ],
      'total',
      true,
    )
    expect(cells[0]?.[1]?.share).toBeCloseTo(0.25)
    expect(cells[0]?.[1]?.background).toMatch(/^rgba\(217, 130, 43,/)
    expect(cells[0]?.[0]?.background).toMatch(/^rgba\(35, 87, 198,/)
    expect(cells[1]?.[0]?.background).toBe('transparent')
    expect(formatShare(0.25)).toBe('25.0 %')
    expect(formatShare(0.0004)).toBe('<0.1 %')
  })
})

describe('business value', () => {
  it('sorts the curve by threshold and marks the stored best threshold and the default one', () => {
    const chart = businessValueChart({
      bestThreshold: 0.3,
      bestValue: 120,
      atDefault: 80,
      curve: [
        { threshold: 0.5, value: 80 },
        { threshold: 0.3, value: 120 },
        { threshold: 0.1, value: 40 },
      ],
    })
    expect(chart.line.map((point) => point.x)).toEqual([0.1, 0.3, 0.5])
    expect(chart.best).toEqual({ x: 0.3, y: 120 })
    expect(chart.atDefault).toEqual({ x: 0.5, y: 80 })
    expect(chart.bestLine).toEqual([
      { x: 0.3, y: 40 },
      { x: 0.3, y: 120 },
    ])
    expect(
      businessValueChart({ bestThreshold: null, bestValue: 0, atDefault: -5, curve: [] }).best,
    ).toBeNull()
  })

  it('finds the highest point, the lowest threshold on ties', () => {
    expect(
      bestPoint([
        { x: 0.1, y: 5 },
        { x: 0.2, y: 9 },
        { x: 0.3, y: 9 },
      ]),
    ).toEqual({ x: 0.2, y: 9 })
    expect(bestPoint([])).toBeNull()
  })
})

describe('metrics', () => {
  it('writes metrics with four decimals, n/a for missing, percent for MAPE', () => {
    expect(formatMetric('accuracy', 0.93751)).toBe('0.9375')
    expect(formatMetric('rocAuc', null)).toBe('n/a')
    expect(formatMetric('mape', 0.1234)).toBe('12.34 %')
    expect(formatMetric('rmse', 1234.5)).toBe('1,235')
    expect(formatMetric('logLoss', Infinity)).toBe('∞')
  })

  it('colours deltas by whether they improve the metric', () => {
    expect(formatDelta('accuracy', 0.01)).toEqual({ text: '+0.0100', tone: 'better' })
    expect(formatDelta('logLoss', 0.01)).toEqual({ text: '+0.0100', tone: 'worse' })
    expect(formatDelta('rmse', -2)).toEqual({ text: '−2.0000', tone: 'better' })
    expect(formatDelta('f1', null).tone).toBe('same')
  })

  it('shows the positive class’s precision, recall and F1 for a binary result, macro averages otherwise', () => {
    const binary = metricCards(
      'classification',
      {
        accuracy: 0.9,
        precision: 0.8,
        recall: 0.7,
        f1: 0.75,
        precisionMacro: 0.85,
        rocAuc: 0.95,
        prAuc: 0.9,
        logLoss: 0.3,
        brier: 0.1,
      },
      {},
    )
    expect(binary.map((card) => card.key)).toEqual([
      'accuracy',
      'precision',
      'recall',
      'f1',
      'rocAuc',
      'prAuc',
      'logLoss',
      'brier',
    ])
    const multiclass = metricCards(
      'classification',
      {
        accuracy: 0.9,
        precision: null,
        recall: null,
        f1: null,
        precisionMacro: 0.85,
        recallMacro: 0.8,
        f1Macro: 0.82,
      },
      { precision: 'binary only', recall: 'binary only', f1: 'binary only' },
    )
    expect(multiclass.map((card) => card.label)).toEqual([
      'Accuracy',
      'Precision (macro)',
      'Recall (macro)',
      'F1 (macro)',
    ])
  })

  it('makes cards with the reason of a missing metric and skips binary-only ones of multiclass', () => {
    const cards = metricCards(
      'classification',
      { accuracy: 0.9, precision: null, recall: null, f1: null, rocAuc: null, logLoss: 0.3 },
      { rocAuc: 'needs class probabilities; the model gives labels only' },
    )
    expect(cards.map((card) => card.key)).toEqual(['accuracy', 'rocAuc', 'logLoss'])
    expect(cards[1]).toMatchObject({
      text: 'n/a',
      reason: 'needs class probabilities; the model gives labels only',
    })
    expect(
      metricCards('regression', { mae: 1, rmse: 2, r2: 0.5, mape: 0.1 }, {}).map((c) => c.label),
    ).toEqual(['MAE', 'RMSE', 'R²', 'MAPE'])
  })

  it('orders slice-table columns as the cards are ordered', () => {
    expect(metricColumns([{ f1: 0.5, accuracy: 0.9, zeta: 1, rocAuc: null }])).toEqual([
      'accuracy',
      'f1',
      'zeta',
    ])
  })
})

describe('latency', () => {
  const run = (p95: number, rate: number) => ({
    latency: {
      p50Ms: 1,
      p95Ms: p95,
      p99Ms: 3,
      meanMs: 1,
      sampleRows: 100,
      rowsPerSecond: rate,
      batch: { size: 1024, count: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
      perRowInBatch: { p50Ms: 0.01, p95Ms: 0.01, p99Ms: 0.01 },
    },
    operational: { modelLoadMs: 10, inferenceMs: 100, totalMs: 200, peakRssBytes: 1024 * 1024 },
  })

  it('puts both runs side by side and names the better one only beyond noise', () => {
    const rows = latencyRows([run(2, 1000), run(4, 1020)])
    const p95 = rows.find((row) => row.label === 'Single row p95')!
    expect(p95.texts).toEqual(['2.00 ms', '4.00 ms'])
    expect(betterSide(p95)).toBe(0)
    const throughput = rows.find((row) => row.label === 'Throughput')!
    expect(throughput.texts).toEqual(['1,000 rows/s', '1,020 rows/s'])
    expect(betterSide(throughput)).toBeNull()
    expect(betterSide({ ...throughput, values: [1000, 2000] })).toBe(1)
  })

  it('groups single-row percentiles of both runs for a side-by-side chart', () => {
    const groups = latencyBarGroups([
      { title: 'Champion v1', latency: run(2, 1000).latency },
      { title: 'Challenger v2', latency: run(4, 1000).latency },
    ])
    expect(groups.labels).toEqual(['p50', 'p95', 'p99'])
    expect(groups.series).toEqual([
      { title: 'Champion v1', values: [1, 2, 3] },
      { title: 'Challenger v2', values: [1, 4, 3] },
    ])
  })
})
