// The Drift view's chart data: severity order, overlaid histograms as proportions on shared
// edges, category bars with unseen categories, heatmap shading, and the verdict sentences.
import { describe, expect, it } from 'vitest'
import {
  formatPValue,
  formatShare,
  formatStatistic,
} from '../../src/renderer/src/lib/charts/drift-format'
import {
  FULL_SHADE_AT,
  heatmapRows,
  shadeForScore,
} from '../../src/renderer/src/lib/charts/drift-heatmap'
import {
  binLabels,
  categoryBars,
  overlayHistogram,
} from '../../src/renderer/src/lib/charts/overlay'
import {
  MAX_SCORE,
  driftScore,
  sortBySeverity,
} from '../../src/renderer/src/lib/charts/drift-severity'
import {
  columnVerdictText,
  datasetVerdict,
  missingSignals,
} from '../../src/renderer/src/lib/charts/drift-verdict'

const column = (
  name: string,
  test: string | null,
  statistic: number | null,
  threshold: number,
  drifted: boolean,
  pValue: number | null = null,
) => ({ name, test, statistic, threshold, drifted, pValue })

describe('severity', () => {
  it('scores distances as statistic ÷ threshold and p-value tests as threshold ÷ p', () => {
    expect(driftScore(column('a', 'wasserstein_normed', 0.25, 0.1, true))).toBeCloseTo(2.5, 12)
    expect(driftScore(column('b', 'jensen_shannon', 0.05, 0.1, false))).toBeCloseTo(0.5, 12)
    expect(driftScore(column('c', 'ks', 0.3, 0.05, true, 0.01))).toBeCloseTo(5, 12)
    expect(driftScore(column('d', 'chi2', 12, 0.05, false, 0.5))).toBeCloseTo(0.1, 12)
    expect(driftScore(column('e', 'ks', 0.9, 0.05, true, 0))).toBe(MAX_SCORE)
    expect(driftScore(column('f', 'psi', null, 0.1, false))).toBeNull()
  })

  it('puts drifted columns first, then the furthest past their threshold, unmeasured last', () => {
    const sorted = sortBySeverity([
      column('calm', 'wasserstein_normed', 0.02, 0.1, false),
      column('empty', 'wasserstein_normed', null, 0.1, false),
      column('near', 'jensen_shannon', 0.09, 0.1, false),
      column('mild', 'ks', 0.2, 0.05, true, 0.04),
      column('wild', 'wasserstein_normed', 0.8, 0.1, true),
      column('b-tie', 'psi', 0.05, 0.1, false),
      column('a-tie', 'psi', 0.05, 0.1, false),
    ])
    expect(sorted.map((c) => c.name)).toEqual([
      'wild',
      'mild',
      'near',
      'a-tie',
      'b-tie',
      'calm',
      'empty',
    ])
  })

  it('uses the engine’s own severity when the report carries one', () => {
    const engine = { ...column('x', 'ks', 0.2, 0.05, true, 0.001), severity: 2.306 }
    expect(driftScore(engine)).toBe(2.306)
    expect(driftScore({ ...column('y', null, null, 0.1, false), severity: 0 })).toBeNull()
    const sorted = sortBySeverity([
      { ...column('p', 'ks', 0.1, 0.05, true, 0.01), severity: 1.5 },
      { ...column('q', 'wasserstein', 0.3, 0.1, true), severity: 3 },
    ])
    expect(sorted.map((c) => c.name)).toEqual(['q', 'p'])
  })

  it('trusts the engine’s verdict over the score when they disagree', () => {
    // A per-column override may make a small statistic drift; the table follows the verdict.
    const sorted = sortBySeverity([
      column('big', 'wasserstein_normed', 0.5, 1, false),
      column('flagged', 'wasserstein_normed', 0.01, 0.1, true),
    ])
    expect(sorted.map((c) => c.name)).toEqual(['flagged', 'big'])
  })
})

describe('overlaid histograms', () => {
  it('turns both sides into proportions on the same edges', () => {
    const overlay = overlayHistogram({
      edges: [0, 1, 2, 4],
      reference: [10, 30, 60],
      current: [1, 1, 2],
    })
    expect(overlay).not.toBeNull()
    expect(overlay!.labels).toEqual(['0 – 1', '1 – 2', '2 – 4'])
    expect(overlay!.reference).toEqual([0.1, 0.3, 0.6])
    expect(overlay!.current).toEqual([0.25, 0.25, 0.5])
    expect(overlay!.referenceTotal).toBe(100)
    expect(overlay!.currentTotal).toBe(4)
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)
    expect(sum(overlay!.reference)).toBeCloseTo(1, 12)
    expect(sum(overlay!.current)).toBeCloseTo(1, 12)
  })

  it('opens the outer bins when given only the inner (PSI) edges', () => {
    const overlay = overlayHistogram({
      edges: [0.25, 0.5],
      reference: [1, 2, 1],
      current: [0, 0, 4],
    })
    expect(overlay!.labels).toEqual(['< 0.25', '0.25 – 0.50', '≥ 0.50'])
    expect(overlay!.current).toEqual([0, 0, 1])
  })

  it('gives zeros, not NaN, for an empty side and refuses mismatched shapes', () => {
    const overlay = overlayHistogram({ edges: [0, 1, 2], reference: [3, 1], current: [0, 0] })
    expect(overlay!.current).toEqual([0, 0])
    expect(overlayHistogram({ edges: [0, 1, 2], reference: [3, 1], current: [1] })).toBeNull()
    expect(
      overlayHistogram({ edges: [0, 1], reference: [3, 1, 2, 5], current: [1, 1, 1, 1] }),
    ).toBeNull()
  })

  it('labels edges with just enough decimals', () => {
    expect(binLabels([0.001, 0.0015, 0.002])).toEqual(['0.0010 – 0.0015', '0.0015 – 0.0020'])
    expect(binLabels([-Infinity, Infinity])).toEqual(['all values'])
    expect(binLabels([-Infinity, -0.5, 0.5, Infinity])).toEqual(['< −0.5', '−0.5 – 0.5', '≥ 0.5'])
  })
})

describe('category bars', () => {
  it('shows proportions per category, unseen categories first and flagged', () => {
    const bars = categoryBars({
      categories: ['red', 'green', 'violet'],
      reference: [75, 25, 0],
      current: [10, 30, 10],
      unseen: ['violet'],
    })
    expect(bars!.labels).toEqual(['violet', 'red', 'green'])
    expect(bars!.unseen).toEqual([true, false, false])
    expect(bars!.reference).toEqual([0, 0.75, 0.25])
    expect(bars!.current).toEqual([0.2, 0.2, 0.6])
  })

  it('folds the long tail into one bar and escapes hostile names', () => {
    const categories = Array.from({ length: 30 }, (_, i) => `c${i}`)
    categories[0] = 'evil\u202e\u0007name'
    const bars = categoryBars(
      { categories, reference: categories.map((_, i) => 30 - i), current: categories.map(() => 1) },
      10,
    )
    expect(bars!.labels).toHaveLength(10)
    expect(bars!.labels[9]).toBe('21 other categories')
    expect(bars!.folded).toBe(21)
    expect(bars!.labels[0]).toBe('evil\\u202e\\x07name')
    const sum = bars!.current.reduce((a, b) => a + b, 0)
    expect(sum).toBeCloseTo(1, 12)
  })

  it('counts the engine’s left-out tail in the shares and shows it as one bar', () => {
    const bars = categoryBars({
      categories: ['a', 'b'],
      reference: [50, 30],
      current: [20, 20],
      otherReference: 20,
      otherCurrent: 60,
    })
    expect(bars!.labels).toEqual(['a', 'b', 'other categories'])
    expect(bars!.reference).toEqual([0.5, 0.3, 0.2])
    expect(bars!.current).toEqual([0.2, 0.2, 0.6])
  })
})

describe('heatmap shading', () => {
  it('darkens with the score, switches hue at the threshold and saturates at FULL_SHADE_AT', () => {
    const below = shadeForScore(0.5)
    const at = shadeForScore(1)
    const far = shadeForScore(FULL_SHADE_AT)
    const beyond = shadeForScore(FULL_SHADE_AT * 10)
    expect(below.level).toBeCloseTo(0.25, 12)
    expect(at.level).toBeCloseTo(0.5, 12)
    expect(far.level).toBe(1)
    expect(beyond).toEqual(far)
    expect(below.background).toMatch(/^rgba\(35, 87, 198,/)
    expect(at.background).toMatch(/^rgba\(200, 62, 45,/)
    const alpha = (css: string): number => Number(css.split(',')[3]!.replace(')', ''))
    expect(alpha(shadeForScore(0.9).background)).toBeGreaterThan(
      alpha(shadeForScore(0.1).background),
    )
    expect(alpha(far.background)).toBeGreaterThan(alpha(at.background))
    expect(far.color).toBe('#ffffff')
    expect(shadeForScore(null).level).toBe(0)
  })

  it('lays out columns × windows with drifted cells marked and absent columns as missing', () => {
    const rows = heatmapRows(
      [
        {
          label: 'w1',
          rows: 10,
          columns: [
            column('age', 'ks', 0.1, 0.05, false, 0.5),
            column('income', 'ks', 0.6, 0.05, true, 0.001),
          ],
        },
        { label: 'w2', rows: 10, columns: [column('income', 'ks', 0.7, 0.05, true, 0.0001)] },
      ],
      ['income', 'age'],
    )
    expect(rows.map((row) => row.column)).toEqual(['income', 'age'])
    expect(rows[0]!.cells.map((cell) => cell.drifted)).toEqual([true, true])
    expect(rows[0]!.driftedWindows).toBe(2)
    expect(rows[0]!.cells[1]!.score).toBeCloseTo(500, 9)
    expect(rows[1]!.cells[1]!.missing).toBe(true)
    expect(rows[1]!.cells[0]!.score).toBeCloseTo(0.1, 12)
  })
})

describe('verdict text', () => {
  it('says whether the dataset drifted and how many columns did', () => {
    const columns = [{ drifted: true }, { drifted: true }, { drifted: false }, { drifted: false }]
    expect(
      datasetVerdict({ datasetDrift: true, driftShare: 0.5, driftShareThreshold: 0.5, columns }),
    ).toEqual({
      drifted: true,
      headline: 'Dataset drift detected',
      detail: '2 of 4 columns drifted (50%), at or above the 50% threshold',
    })
    expect(
      datasetVerdict({
        datasetDrift: false,
        driftShare: 1 / 3,
        driftShareThreshold: 0.5,
        columns: columns.slice(1),
      }).detail,
    ).toBe('1 of 3 columns drifted (33.3%), below the 50% threshold')
    expect(
      datasetVerdict({
        datasetDrift: true,
        driftShare: 1,
        driftedColumns: 2,
        testedColumns: 2,
        columns,
      }).detail,
    ).toBe('2 of 2 columns drifted (100%)')
    expect(
      datasetVerdict({ datasetDrift: false, driftShare: 0, columns: [{ drifted: false }] }),
    ).toEqual({
      drifted: false,
      headline: 'No dataset drift',
      detail: '0 of 1 column drifted (0%)',
    })
  })

  it('names a column’s verdict, and the missing-value changes worth mentioning', () => {
    expect(columnVerdictText({ drifted: true, statistic: 0.3 })).toBe('drifted')
    expect(columnVerdictText({ drifted: false, statistic: 0.01 })).toBe('no drift')
    expect(columnVerdictText({ drifted: false, statistic: null })).toBe('not measured')
    const signals = missingSignals([
      { name: 'age', reference: 0, current: 0 },
      { name: 'income', reference: 0.01, current: 0.2 },
      { name: 'tenure', reference: 0.1, current: 0.12 },
    ])
    expect(signals.map((s) => [s.name, s.noted])).toEqual([
      ['income', true],
      ['tenure', false],
    ])
    expect(signals[0]!.change).toBeCloseTo(0.19, 12)
  })

  it('formats statistics, p-values and shares for the table', () => {
    expect(formatStatistic(0.123456)).toBe('0.1235')
    expect(formatStatistic(null)).toBe('—')
    expect(formatPValue(0)).toBe('< 1e-16')
    expect(formatPValue(0.00012)).toBe('1.20e-4')
    expect(formatShare(0.125)).toBe('12.5%')
  })
})
