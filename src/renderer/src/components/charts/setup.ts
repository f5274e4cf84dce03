// Registers only the chart.js pieces Slipway draws with (tree-shaken), once, with calm defaults.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js'
import { palette } from '../../lib/charts/palette'

let done = false

export function setUpCharts(): void {
  if (done) return
  done = true
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    ScatterController,
    BarController,
    BarElement,
    LinearScale,
    LogarithmicScale,
    CategoryScale,
    Tooltip,
    Legend,
  )
  Chart.defaults.font.family =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
  Chart.defaults.font.size = 11
  Chart.defaults.color = palette.text
  Chart.defaults.borderColor = palette.grid
  // Charts appear at once: results are read, not watched.
  Chart.defaults.animation = false
  Chart.defaults.maintainAspectRatio = false
}
