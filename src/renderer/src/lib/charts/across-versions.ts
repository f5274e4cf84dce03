// Results across versions: for one dataset, the latest evaluation of each version, its headline
// metrics side by side and as a line per metric over the version numbers. Pure, for the model page.
import type { EvaluationSummary } from '../../../../api/evaluation'
import { seriesColor } from './palette'
import type { LineSeries } from './series'

export interface AcrossVersions {
  /** Datasets the model was evaluated on, most evaluations first. */
  datasets: { id: number; name: string; evaluations: number }[]
  /** The latest evaluation of each version on the chosen dataset, oldest version first. */
  columns: EvaluationSummary[]
  /** Metric keys present in any column, in the order of the first column's headline. */
  metrics: string[]
}

export function acrossVersions(
  evaluations: EvaluationSummary[],
  datasetId: number | null,
): AcrossVersions {
  const counts = new Map<number, { id: number; name: string; evaluations: number }>()
  for (const e of evaluations) {
    const entry = counts.get(e.dataset.id) ?? {
      id: e.dataset.id,
      name: e.dataset.name,
      evaluations: 0,
    }
    entry.evaluations++
    counts.set(e.dataset.id, entry)
  }
  const datasets = [...counts.values()].sort((a, b) => b.evaluations - a.evaluations || a.id - b.id)
  const chosen = datasetId ?? datasets[0]?.id ?? null
  const latest = new Map<number, EvaluationSummary>()
  for (const e of evaluations) {
    if (e.dataset.id !== chosen) continue
    const seen = latest.get(e.version)
    if (!seen || e.id > seen.id) latest.set(e.version, e)
  }
  const columns = [...latest.values()].sort((a, b) => a.version - b.version)
  const metrics: string[] = []
  for (const column of columns)
    for (const [key, value] of Object.entries(column.headline))
      if (value !== null && !metrics.includes(key)) metrics.push(key)
  return { datasets, columns, metrics }
}

/** One line per metric: x the version number, y the metric of that version's latest evaluation. */
export function metricLines(view: AcrossVersions, label: (key: string) => string): LineSeries[] {
  return view.metrics.map((key, index) => ({
    label: label(key),
    color: seriesColor(index),
    showPoints: true,
    points: view.columns
      .filter((column) => typeof column.headline[key] === 'number')
      .map((column) => ({ x: column.version, y: column.headline[key] as number })),
  }))
}
