// Every imported dataset: name, rows, columns, short sha256, format and when it was imported.
import { useEffect } from 'react'
import { formatBytes, formatCount, formatTime, shortHash } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useDatasets } from '../../stores/datasets'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'
import { ImportButton, ImportList } from './ImportPanel'

export function DatasetsList() {
  const { datasets, listStatus, listError, loadList } = useDatasets()

  useEffect(() => {
    void loadList()
  }, [loadList])

  return (
    <section>
      <header className="page-header">
        <h1>Datasets</h1>
        <ImportButton ask />
      </header>
      <ImportList />
      <ErrorNote message={listError} testId="datasets-error" />
      {listStatus === 'loading' && <p className="muted">Loading…</p>}
      {listStatus === 'ready' && datasets.length === 0 && (
        <div className="empty" data-testid="datasets-empty">
          <p>No datasets yet.</p>
          <p className="muted">
            Drop .csv or .parquet files anywhere on this window, or use the Import dataset… button.
          </p>
        </div>
      )}
      {datasets.length > 0 && (
        <table className="data" data-testid="datasets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Rows</th>
              <th className="num">Columns</th>
              <th>Format</th>
              <th>SHA-256</th>
              <th>Imported</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((dataset) => (
              <tr key={dataset.id} data-testid="dataset-row">
                <td className="dataset-name">
                  <a href={hrefFor('datasets', dataset.id)} data-testid="dataset-link">
                    <Text value={dataset.name} max={80} />
                  </a>
                  <div className="muted small">{formatBytes(dataset.size)}</div>
                </td>
                <td className="num">{formatCount(dataset.rows)}</td>
                <td className="num">{dataset.columns.length}</td>
                <td>{dataset.format === 'parquet' ? 'Parquet' : 'CSV'}</td>
                <td className="mono muted" title={dataset.sha256}>
                  {shortHash(dataset.sha256)}
                </td>
                <td className="muted nowrap">
                  {formatTime(dataset.createdAt)} · <Text value={dataset.createdBy} max={40} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
