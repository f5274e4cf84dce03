// Past evaluations of the chosen version, newest first; one click shows its full result.
import type { EvaluationSummary } from '../../../../api/evaluation'
import { DatasetNameCell } from '../datasets/RetiredDatasetNote'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatCount } from '../../lib/format'
import { useEvaluation } from '../../stores/evaluation'
import { HistoryTable } from '../shared/HistoryTable'

/** A multiclass result has no binary F1 (it is null): its macro F1 is the one worth a headline. */
const headlineKeys = (entry: EvaluationSummary): string[] =>
  entry.task === 'classification'
    ? [
        'accuracy',
        entry.headline.f1 == null && entry.headline.f1Macro != null ? 'f1Macro' : 'f1',
        'rocAuc',
      ]
    : ['rmse', 'mae', 'r2']

export function EvaluationHistory({
  history,
  openId,
}: {
  history: EvaluationSummary[]
  openId: number | null
}) {
  return (
    <HistoryTable
      title="Past evaluations of this version"
      history={history}
      openId={openId}
      view="evaluate"
      what="evaluation"
      onDelete={(id) => useEvaluation.getState().removeEvaluation(id)}
      testId="evaluation-history"
      rowTestId="history-row"
      deleteTestId="evaluation-delete"
      columns={[
        { title: 'Dataset', cell: (entry) => <DatasetNameCell dataset={entry.dataset} max={60} /> },
        { title: 'Rows', className: 'num', cell: (entry) => formatCount(entry.rows) },
        {
          title: 'Headline',
          cellClassName: 'muted',
          cell: (entry) =>
            headlineKeys(entry)
              .filter((key) => key in entry.headline)
              .map((key) => `${metricInfo(key).label} ${formatMetric(key, entry.headline[key])}`)
              .join(' · '),
        },
      ]}
    />
  )
}
