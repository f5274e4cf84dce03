// Bars that touch, one per bin (latency, residuals, probability deltas, column values); draws only.
import type { ChartData, ChartOptions } from 'chart.js'
import { Chart } from 'react-chartjs-2'
import type { HistogramBar } from '../../lib/charts/histogram'
import { withAlpha } from '../../lib/charts/palette'
import { setUpCharts } from './setup'

setUpCharts()

export interface HistogramChartProps {
  bars: HistogramBar[]
  color: string
  xTitle: string
  yTitle?: string
  testId: string
  label: string
  /** Small charts leave out axes titles and most ticks. */
  compact?: boolean
  /** A logarithmic count axis, so a long tail (latency outliers) stays visible next to the peak. */
  logCounts?: boolean
}

export function HistogramChart({
  bars,
  color,
  xTitle,
  yTitle = 'Rows',
  testId,
  label,
  compact,
  logCounts,
}: HistogramChartProps) {
  const data: ChartData<'bar', number[], string> = {
    labels: bars.map((bar) => bar.label),
    datasets: [
      {
        label: yTitle,
        data: bars.map((bar) => bar.count),
        backgroundColor: withAlpha(color, 0.7),
        borderColor: color,
        borderWidth: 0,
        barPercentage: 1,
        categoryPercentage: 0.96,
      },
    ],
  }
  const options: ChartOptions<'bar'> = {
    responsive: true,
    aspectRatio: compact ? 3 : 1.8,
    maintainAspectRatio: true,
    plugins: {
      legend: { display: false },
      tooltip: { callbacks: { title: (items) => items[0]?.label ?? '' } },
    },
    scales: {
      x: {
        type: 'category',
        display: !compact,
        title: { display: !compact, text: xTitle },
        grid: { display: false },
        ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 },
      },
      y: logCounts
        ? {
            type: 'logarithmic',
            min: 0.8,
            display: !compact,
            title: { display: !compact, text: `${yTitle} (log scale)` },
            ticks: {
              callback: (value) =>
                Number.isInteger(Math.log10(Number(value))) ? String(value) : '',
            },
          }
        : {
            type: 'linear',
            beginAtZero: true,
            display: !compact,
            title: { display: !compact, text: yTitle },
            ticks: { precision: 0 },
          },
    },
  }
  return (
    <div className={compact ? 'chart compact' : 'chart'} data-testid={testId}>
      <Chart type="bar" data={data} options={options} aria-label={label} role="img" />
    </div>
  )
}
