// Lines on two linear axes (ROC, PR, calibration, business value, scatter plots); draws only.
import type { ChartData, ChartOptions } from 'chart.js'
import { Chart } from 'react-chartjs-2'
import { withAlpha } from '../../lib/charts/palette'
import type { LineSeries, XYPoint } from '../../lib/charts/series'
import { setUpCharts } from './setup'

setUpCharts()

export interface ChartMarker {
  point: XYPoint
  label: string
  color: string
}

export interface LineChartProps {
  series: LineSeries[]
  markers?: ChartMarker[]
  xTitle: string
  yTitle: string
  xRange?: [number, number]
  yRange?: [number, number]
  /** Keeps the plot square-ish (ROC, calibration), where the diagonal means something. */
  square?: boolean
  testId: string
  label: string
  formatX?: (value: number) => string
  formatY?: (value: number) => string
}

export function LineChart({
  series,
  markers = [],
  xTitle,
  yTitle,
  xRange,
  yRange,
  square,
  testId,
  label,
  formatX,
  formatY,
}: LineChartProps) {
  const data: ChartData<'scatter', XYPoint[]> = {
    datasets: [
      ...markers.map((marker) => ({
        label: marker.label,
        data: [marker.point],
        showLine: false,
        pointRadius: 6,
        pointHoverRadius: 7,
        pointStyle: 'rectRot' as const,
        backgroundColor: marker.color,
        borderColor: '#ffffff',
        borderWidth: 1.5,
        order: 0,
      })),
      ...series.map((line, index) => ({
        label: line.label,
        data: line.points,
        showLine: !line.dotsOnly,
        borderColor: line.color,
        backgroundColor: line.dotsOnly ? withAlpha(line.color, 0.45) : line.color,
        borderWidth: line.reference ? 1 : 2,
        borderDash: line.reference ? [5, 4] : undefined,
        pointRadius: line.dotsOnly ? 2 : line.showPoints ? 3.5 : 0,
        pointHoverRadius: line.reference ? 0 : 4,
        tension: 0,
        order: index + 1,
      })),
    ],
  }
  const options: ChartOptions<'scatter'> = {
    responsive: true,
    aspectRatio: square ? 1.15 : 1.8,
    maintainAspectRatio: true,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: {
        position: 'bottom',
        labels: {
          boxWidth: 12,
          boxHeight: 2,
          padding: 10,
          // A marker and a line may share a name (best threshold): list it once.
          filter: (item, chart) =>
            chart.datasets.findIndex((dataset) => dataset.label === item.text) ===
            item.datasetIndex,
        },
      },
      tooltip: {
        callbacks: {
          label: (item) => {
            const point = item.raw as XYPoint
            const x = formatX ? formatX(point.x) : point.x.toFixed(3)
            const y = formatY ? formatY(point.y) : point.y.toFixed(3)
            return `${item.dataset.label ?? ''}: ${x}, ${y}`
          },
        },
      },
    },
    scales: {
      x: {
        type: 'linear',
        min: xRange?.[0],
        max: xRange?.[1],
        title: { display: true, text: xTitle },
        ticks: formatX ? { callback: (value) => formatX(Number(value)) } : undefined,
      },
      y: {
        type: 'linear',
        min: yRange?.[0],
        max: yRange?.[1],
        title: { display: true, text: yTitle },
        ticks: formatY ? { callback: (value) => formatY(Number(value)) } : undefined,
      },
    },
  }
  return (
    <div className="chart" data-testid={testId}>
      <Chart type="scatter" data={data} options={options} aria-label={label} role="img" />
    </div>
  )
}
