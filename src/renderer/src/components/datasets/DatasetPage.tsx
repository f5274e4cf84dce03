// One dataset: its facts and a profile per column (kind, missing, range, mean, spread, quantiles,
// distinct values, most frequent values).
import { useEffect, useState, type FormEvent } from 'react'
import type { ColumnProfile, DatasetDetail } from '../../../../api/datasets'
import { formatStatistic, quantileStrip } from '../../lib/charts/profile'
import { formatBytes, formatCount, formatTime } from '../../lib/format'
import { useEvaluation } from '../../stores/evaluation'
import { hrefFor, useRoute } from '../../stores/route'
import { useDatasets } from '../../stores/datasets'
import { ErrorNote } from '../ErrorNote'
import { DatasetDelete, DatasetUsedBy } from './DatasetDelete'
import { Text } from '../Text'

export function DatasetPage({ id }: { id: number }) {
  const { detail, detailError, open } = useDatasets()

  useEffect(() => {
    void open(id)
  }, [id, open])

  const shown = detail && detail.id === id ? detail : null
  return (
    <section>
      <nav className="breadcrumb">
        <a href={hrefFor('datasets')}>Datasets</a> /{' '}
        {shown ? <Text value={shown.name} max={80} /> : `#${id}`}
      </nav>
      <ErrorNote message={detailError} testId="dataset-error" />
      {!shown && !detailError && <p className="muted">Loading…</p>}
      {shown && <DatasetDetailView dataset={shown} />}
    </section>
  )
}

/** Opens the Evaluate view with this dataset chosen. */
function evaluateOn(datasetId: number): void {
  useEvaluation.getState().setForm({ datasetId, label: '', slice: '' })
  useRoute.getState().navigate(hrefFor('evaluate'))
}

/** "Rename…": the name in place, saved on Enter; a taken name is refused with a free one. */
function RenameDataset({ dataset }: { dataset: DatasetDetail }) {
  const rename = useDatasets((state) => state.rename)
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState(dataset.name)
  const [problem, setProblem] = useState<string | null>(null)
  if (!editing)
    return (
      <button
        type="button"
        onClick={() => {
          setName(dataset.name)
          setProblem(null)
          setEditing(true)
        }}
        data-testid="dataset-rename"
      >
        Rename…
      </button>
    )
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    void rename(dataset.id, name).then((error) => {
      setProblem(error)
      if (!error) setEditing(false)
    })
  }
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <input
        value={name}
        onChange={(event) => setName(event.target.value)}
        aria-label="New dataset name"
        data-testid="dataset-rename-input"
      />
      <button type="submit" className="primary" data-testid="dataset-rename-save">
        Save name
      </button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      <ErrorNote message={problem} testId="dataset-rename-error" />
    </form>
  )
}

function DatasetDetailView({ dataset }: { dataset: DatasetDetail }) {
  return (
    <div data-testid="dataset-page">
      <header className="page-header">
        <h1 data-testid="dataset-title">
          <Text value={dataset.name} max={120} />
        </h1>
        <RenameDataset dataset={dataset} />
        <DatasetDelete dataset={dataset} />
        <button type="button" onClick={() => evaluateOn(dataset.id)} data-testid="dataset-evaluate">
          Evaluate a model on it…
        </button>
      </header>
      <p className="facts muted" data-testid="dataset-facts">
        {formatCount(dataset.rows)} rows · {dataset.columns.length} columns ·{' '}
        {dataset.format === 'parquet' ? 'Parquet' : 'CSV'} · {formatBytes(dataset.size)} · imported
        by <Text value={dataset.createdBy} max={60} /> on {formatTime(dataset.createdAt)} ·{' '}
        <span className="mono" title={dataset.sha256}>
          sha256 {dataset.sha256.slice(0, 16)}…
        </span>
      </p>
      <DatasetUsedBy dataset={dataset} />
      <div className="card flush">
        <table className="data compact profile" data-testid="profile-table">
          <thead>
            <tr>
              <th>Column</th>
              <th>Kind</th>
              <th className="num">Missing</th>
              <th className="num">Distinct</th>
              <th className="num">Min</th>
              <th className="num">Mean</th>
              <th className="num">Std</th>
              <th className="num">Max</th>
              <th>Quantiles (5 · 25 · 50 · 75 · 95 %)</th>
              <th>Top values</th>
            </tr>
          </thead>
          <tbody>
            {dataset.profile.map((column) => (
              <ProfileRow key={column.name} column={column} rows={dataset.rows} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

function ProfileRow({ column, rows }: { column: ColumnProfile; rows: number }) {
  const stat = (value: number | null): string => formatStatistic(value, column.kind)
  const strip = quantileStrip(column.min, column.max, column.quantiles)
  const q = column.quantiles
  const top = column.topValues.slice(0, 3)
  return (
    <tr data-testid="profile-row" data-column={column.name}>
      <th scope="row" className="mono">
        <Text value={column.name} max={60} />
      </th>
      <td>
        <span className={`kind kind-${column.kind}`}>{column.kind}</span>
      </td>
      <td className="num" data-testid="profile-missing">
        {formatCount(column.missing)}
        {rows > 0 && column.missing > 0 && (
          <div className="muted small">{((column.missing / rows) * 100).toFixed(1)} %</div>
        )}
        {(column.nanCount > 0 || column.infinityCount > 0) && (
          <div className="muted small">
            {column.nanCount > 0 && `${formatCount(column.nanCount)} NaN`}
            {column.nanCount > 0 && column.infinityCount > 0 && ' · '}
            {column.infinityCount > 0 && `${formatCount(column.infinityCount)} ∞`}
          </div>
        )}
      </td>
      <td className="num">{formatCount(column.distinct)}</td>
      <td className="num">{stat(column.min)}</td>
      <td className="num">{column.kind === 'timestamp' ? '—' : stat(column.mean)}</td>
      <td className="num">{column.kind === 'timestamp' ? '—' : stat(column.std)}</td>
      <td className="num">{stat(column.max)}</td>
      <td>
        {strip && q ? (
          <>
            <div className="strip" aria-hidden="true">
              <span
                className="strip-whisker"
                style={{
                  left: `${strip.whiskerLow}%`,
                  width: `${Math.max(0.5, strip.whiskerHigh - strip.whiskerLow)}%`,
                }}
              />
              <span
                className="strip-box"
                style={{
                  left: `${strip.boxLow}%`,
                  width: `${Math.max(1, strip.boxHigh - strip.boxLow)}%`,
                }}
              />
              <span className="strip-median" style={{ left: `${strip.median}%` }} />
            </div>
            <div className="muted small mono">
              {[q.p5, q.p25, q.p50, q.p75, q.p95].map(stat).join(' · ')}
            </div>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="top-values">
        {top.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          top.map((entry, index) => (
            <div key={index}>
              <Text value={entry.value} max={40} />{' '}
              <span className="muted small">× {formatCount(entry.count)}</span>
            </div>
          ))
        )}
      </td>
    </tr>
  )
}
