// One column's reference and current distributions drawn over each other: histogram bars on the
// same bins (numeric) or grouped bars per category with unseen categories in red.
import { Chart, type ChartData, type ChartOptions } from 'chart.js'
import { useMemo } from 'react'
import { Bar } from 'react-chartjs-2'
import type { ColumnDrift } from '../../../../api/drift'
import {
  formatPValue,
  formatShare,
  formatStatistic,
  testLabel,
} from '../../lib/charts/drift-format'
import { categoryBars, overlayHistogram, type OverlayHistogram } from '../../lib/charts/overlay'
import { Text } from '../Text'
import { driftColors } from '../../lib/charts/palette'
import { setUpCharts } from '../charts/setup'

setUpCharts()

function chartBars(column: ColumnDrift): (OverlayHistogram & { unseen?: boolean[] }) | null {
  const histogram = column.histogram
  if (histogram.kind === 'numeric') return overlayHistogram(histogram)
  return categoryBars({
    categories: histogram.categories,
    reference: histogram.reference,
    current: histogram.current,
    otherReference: histogram.otherReference,
    otherCurrent: histogram.otherCurrent,
    unseen: column.stats.unseenCategories,
  })
}

export function ColumnChart({ column }: { column: ColumnDrift }) {
  const bars = useMemo(() => chartBars(column), [column])
  const numeric = column.histogram.kind === 'numeric'

  const data = useMemo((): ChartData<'bar'> | null => {
    if (!bars) return null
    const unseen = bars.unseen ?? bars.labels.map(() => false)
    return {
      labels: bars.labels.map((label, i) => (unseen[i] ? `${label} (new)` : label)),
      datasets: [
        {
          label: `Reference (${bars.referenceTotal.toLocaleString('en-US')} values)`,
          data: bars.reference,
          backgroundColor: driftColors.reference,
          borderColor: driftColors.referenceBorder,
          borderWidth: 1,
          ...(numeric ? { barPercentage: 1, categoryPercentage: 0.98, grouped: false } : {}),
        },
        {
          label: `Current (${bars.currentTotal.toLocaleString('en-US')} values)`,
          data: bars.current,
          backgroundColor: unseen.map((flag) => (flag ? driftColors.unseen : driftColors.current)),
          borderColor: unseen.map((flag) =>
            flag ? driftColors.unseenBorder : driftColors.currentBorder,
          ),
          borderWidth: 1,
          ...(numeric ? { barPercentage: 1, categoryPercentage: 0.98, grouped: false } : {}),
        },
      ],
    }
  }, [bars, numeric])

  const options = useMemo(
    (): ChartOptions<'bar'> => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: {
          position: 'top',
          labels: {
            color: driftColors.text,
            boxWidth: 14,
            // Swatches show each dataset's own colour, not its first bar's (an unseen category).
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => ({
                ...item,
                fillStyle: item.datasetIndex === 1 ? driftColors.current : driftColors.reference,
                strokeStyle:
                  item.datasetIndex === 1 ? driftColors.currentBorder : driftColors.referenceBorder,
              })),
          },
        },
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label?.split(' (')[0] ?? ''}: ${formatShare(Number(item.raw))}`,
          },
        },
      },
      scales: {
        x: {
          grid: { display: false },
          ticks: { color: driftColors.text, maxRotation: 45, autoSkip: true },
          title: {
            display: true,
            text: numeric ? 'value (bins shared by both datasets)' : 'category',
            color: driftColors.text,
          },
        },
        y: {
          beginAtZero: true,
          grid: { color: driftColors.grid },
          ticks: { color: driftColors.text, callback: (value) => formatShare(Number(value)) },
          title: { display: true, text: 'share of rows', color: driftColors.text },
        },
      },
    }),
    [numeric],
  )

  return (
    <div
      className="card drift-column-detail"
      data-testid="drift-column-detail"
      data-column={column.name}
    >
      <header className="drift-card-header">
        <h2>
          <Text value={column.name} max={80} />{' '}
          <span className="muted small">
            {column.kind} · {numeric ? 'overlaid histograms' : 'grouped bars'}
          </span>
        </h2>
        <span className={column.drifted ? 'drift-pill drifted' : 'drift-pill calm'}>
          {column.drifted ? 'drifted' : column.test === null ? 'not tested' : 'no drift'}
        </span>
      </header>
      {data ? (
        <div
          className="drift-chart"
          data-testid="drift-column-chart"
          data-bars={bars?.labels.length ?? 0}
        >
          <Bar
            data={data}
            options={options}
            aria-label={`Distribution of ${column.name}`}
            role="img"
          />
        </div>
      ) : (
        <p className="muted">No values to draw for this column.</p>
      )}
      <p className="drift-why">
        <Text value={column.why} max={400} />
      </p>
      <ColumnStatsList column={column} />
    </div>
  )
}

function ColumnStatsList({ column }: { column: ColumnDrift }) {
  const { stats } = column
  const rows: Array<[string, string]> = []
  if (stats.ks)
    rows.push([
      'Kolmogorov–Smirnov',
      `D = ${formatStatistic(stats.ks.statistic)}, p = ${formatPValue(stats.ks.pValue)} (${stats.ks.method})`,
    ])
  if (stats.wasserstein !== null) rows.push(['Wasserstein', formatStatistic(stats.wasserstein)])
  if (stats.wassersteinNormed !== null)
    rows.push(['Wasserstein (normed)', formatStatistic(stats.wassersteinNormed)])
  if (stats.psi !== null) rows.push(['PSI', formatStatistic(stats.psi)])
  if (stats.jensenShannon !== null)
    rows.push(['Jensen–Shannon', formatStatistic(stats.jensenShannon)])
  if (stats.chi2)
    rows.push([
      'Chi-square',
      `${formatStatistic(stats.chi2.statistic)}, p = ${formatPValue(stats.chi2.pValue)}, dof ${stats.chi2.dof}`,
    ])
  if (stats.z)
    rows.push([
      'Z-test',
      `${formatStatistic(stats.z.statistic)}, p = ${formatPValue(stats.z.pValue)}`,
    ])
  rows.push([
    'Missing (reference → current)',
    `${formatShare(column.reference.missingShare)} → ${formatShare(column.current.missingShare)}`,
  ])
  return (
    <>
      <dl className="facts-list drift-stats" data-testid="drift-column-stats">
        <dt>Decided by</dt>
        <dd>
          {testLabel(column.test)}
          {column.threshold !== null ? ` (threshold ${formatStatistic(column.threshold)})` : ''}
        </dd>
        {rows.map(([label, value]) => (
          <div key={label} className="drift-stat-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {stats.unseenCategories.length > 0 && (
        <p className="drift-unseen" data-testid="drift-unseen">
          New in current data:{' '}
          {stats.unseenCategories.map((category) => (
            <span key={category} className="tag unseen">
              <Text value={category} max={40} />
            </span>
          ))}
        </p>
      )}
      {stats.vanishedCategories.length > 0 && (
        <p className="muted small">
          Gone from current data:{' '}
          {stats.vanishedCategories.map((category) => (
            <span key={category} className="tag">
              <Text value={category} max={40} />
            </span>
          ))}
        </p>
      )}
      {column.notes.map((note, i) => (
        <p key={i} className="muted small">
          <Text value={note} max={300} />
        </p>
      ))}
    </>
  )
}
