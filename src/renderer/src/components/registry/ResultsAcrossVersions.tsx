// On the model page: how the versions did on one dataset, from stored evaluations — the latest
// evaluation of each version side by side, and each headline metric as a line over the versions —
// and below it any hand-picked evaluations compared (EvaluationsSideBySide).
import { useEffect, useMemo, useState } from 'react'
import type { EvaluationSummary } from '../../../../api/evaluation'
import { acrossVersions, metricLines } from '../../lib/charts/across-versions'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatTime } from '../../lib/format'
import { useEvaluation } from '../../stores/evaluation'
import { hrefFor } from '../../stores/route'
import { LineChart } from '../charts/LineChart'
import { Text } from '../Text'
import { EvaluationsSideBySide } from './EvaluationsSideBySide'

export function ResultsAcrossVersions({ model }: { model: string }) {
  const [evaluations, setEvaluations] = useState<EvaluationSummary[] | null>(null)
  const [datasetId, setDatasetId] = useState<number | null>(null)
  const listForModel = useEvaluation((state) => state.listForModel)

  useEffect(() => {
    let current = true
    void listForModel(model).then((list) => {
      if (current) setEvaluations(list)
    })
    return () => {
      current = false
    }
  }, [model, listForModel])

  const view = useMemo(() => acrossVersions(evaluations ?? [], datasetId), [evaluations, datasetId])
  if (evaluations === null) return null
  return (
    <>
      <AcrossVersionsCard view={view} datasetId={datasetId} setDatasetId={setDatasetId} />
      <EvaluationsSideBySide model={model} evaluations={evaluations} />
    </>
  )
}

function AcrossVersionsCard({
  view,
  datasetId,
  setDatasetId,
}: {
  view: ReturnType<typeof acrossVersions>
  datasetId: number | null
  setDatasetId: (id: number) => void
}) {
  return (
    <div className="card" data-testid="results-across-versions">
      <h2>Results across versions</h2>
      {view.columns.length === 0 ? (
        <p className="muted">
          No evaluations yet. Evaluate versions on the same dataset to see them side by side here.
        </p>
      ) : (
        <>
          <label className="inline-label">
            Dataset{' '}
            <select
              value={String(datasetId ?? view.datasets[0]?.id ?? '')}
              onChange={(event) => setDatasetId(Number(event.target.value))}
              data-testid="across-dataset"
            >
              {view.datasets.map((dataset) => (
                <option key={dataset.id} value={String(dataset.id)}>
                  {dataset.name} ({dataset.evaluations})
                </option>
              ))}
            </select>
          </label>
          <table className="data compact" data-testid="across-table">
            <thead>
              <tr>
                <th>Metric</th>
                {view.columns.map((column) => (
                  <th key={column.id} className="num">
                    <a href={hrefFor('evaluate', column.id)}>
                      v{column.version} · #{column.id}
                    </a>
                    <div className="muted small">{formatTime(column.createdAt)}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.metrics.map((key) => (
                <tr key={key} data-testid="across-row" data-metric={key}>
                  <th scope="row">{metricInfo(key).label}</th>
                  {view.columns.map((column) => (
                    <td key={column.id} className="num">
                      {formatMetric(key, column.headline[key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {view.columns.length > 1 && (
            <LineChart
              series={metricLines(view, (key) => metricInfo(key).label)}
              xTitle="Version"
              yTitle="Metric"
              testId="across-chart"
              label={`Headline metrics of each version on ${view.datasets.find((d) => d.id === view.columns[0]?.dataset.id)?.name ?? 'the dataset'}`}
              formatX={(value) => `v${value}`}
            />
          )}
          <p className="muted small">
            The latest evaluation of each version on{' '}
            <Text value={view.columns[0]?.dataset.name} max={80} />; open one to see all its
            numbers.
          </p>
        </>
      )}
    </div>
  )
}
