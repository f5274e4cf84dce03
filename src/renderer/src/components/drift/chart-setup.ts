// The chart.js parts the drift charts use, registered once (tree-shaken: no `chart.js/auto`).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

export const driftColors = {
  reference: 'rgba(154, 161, 174, 0.75)',
  referenceBorder: '#7d8594',
  current: 'rgba(35, 87, 198, 0.7)',
  currentBorder: '#2357c6',
  unseen: 'rgba(200, 62, 45, 0.85)',
  unseenBorder: '#a3321f',
  grid: '#eceef2',
  text: '#677085',
}
