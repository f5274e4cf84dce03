// Past comparisons of the champion's model, newest first; one click shows the full comparison.
import type { PastComparison } from '../../stores/shadow'
import { DatasetNameCell } from '../datasets/RetiredDatasetNote'
import { formatCount } from '../../lib/format'
import { useShadow } from '../../stores/shadow'
import { HistoryTable } from '../shared/HistoryTable'
import { Text } from '../Text'

export function CompareHistory({
  history,
  openId,
}: {
  history: PastComparison[]
  openId: number | null
}) {
  return (
    <HistoryTable
      title="Past comparisons"
      history={history}
      openId={openId}
      view="compare"
      what="comparison"
      onDelete={(id) => useShadow.getState().removeComparison(id)}
      testId="compare-history"
      rowTestId="compare-history-row"
      deleteTestId="comparison-delete"
      columns={[
        {
          title: 'Champion',
          cell: (entry) => (
            <>
              <Text value={entry.champion.model} max={40} /> v{entry.champion.version}
            </>
          ),
        },
        {
          title: 'Challenger',
          cell: (entry) => (
            <>
              <Text value={entry.challenger.model} max={40} /> v{entry.challenger.version}
            </>
          ),
        },
        { title: 'Dataset', cell: (entry) => <DatasetNameCell dataset={entry.dataset} max={40} /> },
        { title: 'Rows', className: 'num', cell: (entry) => formatCount(entry.dataset.rows) },
      ]}
    />
  )
}
