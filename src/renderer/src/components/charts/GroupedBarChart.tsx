// Bars grouped by category, one colour per series (latency percentiles of champion and
// challenger side by side); draws only.
import type { ChartData, ChartOptions } from 'chart.js'
import { Chart } from 'react-chartjs-2'
import { withAlpha } from '../../lib/charts/palette'
import { setUpCharts } from './setup'

setUpCharts()

export interface GroupedBarChartProps {
  labels: string[]
  series: Array<{ title: string; values: number[]; color: string }>
  yTitle: string
  formatValue: (value: number) => string
  testId: string
  label: string
}

export function GroupedBarChart({
  labels,
  series,
  yTitle,
  formatValue,
  testId,
  label,
}: GroupedBarChartProps) {
  const data: ChartData<'bar', number[], string> = {
    labels,
    datasets: series.map((entry) => ({
      label: entry.title,
      data: entry.values,
      backgroundColor: withAlpha(entry.color, 0.75),
      borderColor: entry.color,
      borderWidth: 1,
      barPercentage: 0.8,
      categoryPercentage: 0.7,
    })),
  }
  const options: ChartOptions<'bar'> = {
    responsive: true,
    aspectRatio: 2,
    maintainAspectRatio: true,
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 12, padding: 10 } },
      tooltip: {
        callbacks: {
          label: (item) => `${item.dataset.label ?? ''}: ${formatValue(Number(item.raw))}`,
        },
      },
    },
    scales: {
      x: { type: 'category', grid: { display: false } },
      y: {
        type: 'linear',
        beginAtZero: true,
        title: { display: true, text: yTitle },
        ticks: { callback: (value) => formatValue(Number(value)) },
      },
    },
  }
  return (
    <div className="chart" data-testid={testId}>
      <Chart type="bar" data={data} options={options} aria-label={label} role="img" />
    </div>
  )
}
