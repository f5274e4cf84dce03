// A model's drift monitors: create one (reference, where current data comes from, thresholds),
// see each one's last run, run it now, delete it, and open the runs it stored.
import { useState } from 'react'
import { displayText } from '../../../../api/display'
import type { Monitor } from '../../../../api/drift'
import { formatShare } from '../../lib/charts/drift-format'
import { formatCount, formatTime } from '../../lib/format'
import { useDrift, type MonitorFormInput } from '../../stores/drift'
import { client } from '../../transport/client'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'
import { statusLabel } from './RunHistory'

const emptyForm = (model: string, version: string): MonitorFormInput => ({
  model,
  name: '',
  versionRef: version,
  referenceKind: 'version',
  referenceDataset: '',
  sourceKind: 'folder',
  sourcePath: '',
  threshold: '',
  driftShare: '0.5',
  label: '',
  performanceDrop: '',
  logPrediction: '',
  logScore: '',
  logLatency: '',
  logValue: '',
  retrainOnDrift: false,
})

/** Label, performance bound and production-log roles a monitor remembers: field, title, test id. */
const LOG_FIELDS = [
  ['label', 'Label column (target)', 'monitor-label'],
  [
    'performanceDrop',
    'Degraded at a drop of (blank: reference chunks ± 3 std)',
    'monitor-performance-drop',
  ],
  ['logPrediction', 'Served prediction column', 'monitor-log-prediction'],
  ['logScore', 'Served score column', 'monitor-log-score'],
  ['logLatency', 'Latency column', 'monitor-log-latency'],
  ['logValue', 'Business value column', 'monitor-log-value'],
] as const

function referenceText(monitor: Monitor): string {
  const reference = monitor.reference
  if ('version' in reference) return `training data of v${String(reference.version.ref)}`
  if ('dataset' in reference) return `dataset ${String(reference.dataset)}`
  return 'uploaded file'
}

/** The new-monitor form; its draft and error live in the panel, so they outlast closing it. */
function MonitorForm({
  draft,
  edit,
  error,
  onSubmit,
}: {
  draft: MonitorFormInput
  edit(patch: Partial<MonitorFormInput>): void
  error: string | null
  onSubmit(): void
}) {
  const { versions, datasets } = useDrift()
  return (
    <form
      className="drift-grid monitor-form"
      data-testid="monitor-form"
      onSubmit={(event) => {
        event.preventDefault()
        onSubmit()
      }}
    >
      <label>
        <span>
          Name <span className="muted">(optional)</span>
        </span>
        <input
          value={draft.name}
          onChange={(e) => edit({ name: e.target.value })}
          data-testid="monitor-name"
        />
      </label>
      <label>
        Version
        <select
          value={draft.versionRef}
          onChange={(e) => edit({ versionRef: e.target.value })}
          data-testid="monitor-version"
        >
          <option value="">features only (no predictions)</option>
          {versions.map((v) => (
            <option key={v.id} value={String(v.version)}>
              v{v.version}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reference
        <select
          value={draft.referenceKind}
          onChange={(e) => edit({ referenceKind: e.target.value as 'version' | 'dataset' })}
          data-testid="monitor-reference-kind"
        >
          <option value="version">the version’s training data</option>
          <option value="dataset">an imported dataset</option>
        </select>
      </label>
      {draft.referenceKind === 'dataset' && (
        <label>
          Reference dataset
          <select
            value={draft.referenceDataset}
            onChange={(e) => edit({ referenceDataset: e.target.value })}
            data-testid="monitor-reference-dataset"
          >
            <option value="">Choose…</option>
            {datasets.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {displayText(d.name, 60)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Current data from
        <select
          value={draft.sourceKind}
          onChange={(e) => edit({ sourceKind: e.target.value as 'file' | 'folder' })}
          data-testid="monitor-source-kind"
        >
          <option value="folder">a folder (each new file is a run)</option>
          <option value="file">one file (re-read on each run)</option>
        </select>
      </label>
      <label className="wide">
        {draft.sourceKind === 'folder' ? 'Folder' : 'File'} path on this machine
        <input
          value={draft.sourcePath}
          onChange={(e) => edit({ sourcePath: e.target.value })}
          placeholder={
            draft.sourceKind === 'folder' ? '/data/exports/churn' : '/data/exports/churn/latest.csv'
          }
          data-testid="monitor-source-path"
        />
      </label>
      <label>
        <span>
          Threshold <span className="muted">(blank: defaults)</span>
        </span>
        <input
          value={draft.threshold}
          onChange={(e) => edit({ threshold: e.target.value })}
          data-testid="monitor-threshold"
        />
      </label>
      <label>
        Dataset drift share
        <input
          value={draft.driftShare}
          onChange={(e) => edit({ driftShare: e.target.value })}
          data-testid="monitor-share"
        />
      </label>
      {LOG_FIELDS.map(([field, title, testId]) => (
        <label key={field}>
          <span>
            {title} <span className="muted">(optional)</span>
          </span>
          <input
            value={draft[field]}
            onChange={(e) => edit({ [field]: e.target.value })}
            data-testid={testId}
          />
        </label>
      ))}
      <label className="wide">
        <span>
          <input
            type="checkbox"
            checked={draft.retrainOnDrift}
            onChange={(e) => edit({ retrainOnDrift: e.target.checked })}
            data-testid="monitor-retrain"
          />{' '}
          start the model’s retraining recipe when this monitor crosses into drift
        </span>
      </label>
      <div className="wide drift-actions">
        <button type="submit" className="primary" data-testid="monitor-create">
          Create monitor
        </button>
        <ErrorNote message={error} testId="monitor-error" />
      </div>
    </form>
  )
}

/** One monitor: what it compares, its last run, and pause, run and delete. */
function MonitorRow({
  monitor,
  message,
  onMessage,
}: {
  monitor: Monitor
  message: string | undefined
  onMessage(text: string): void
}) {
  const { deleteMonitor, runMonitor, openRun, setMonitorPaused } = useDrift.getState()
  const lastRun = monitor.lastRun
  return (
    <tr data-testid="monitor-row" data-monitor={monitor.id}>
      <td>
        <Text value={monitor.name} max={60} />
        {monitor.versionRef && (
          <span className="muted small"> · v{displayText(monitor.versionRef, 20)}</span>
        )}
        {monitor.paused && (
          <span className="drift-badge" data-testid="monitor-paused">
            {' '}
            paused
          </span>
        )}
        {monitor.retrainOnDrift && <span className="muted small"> · retrains on drift</span>}
      </td>
      <td className="small">{referenceText(monitor)}</td>
      <td className="small wrap">
        {monitor.source.kind}: <Text value={monitor.source.path} max={80} />
        {monitor.source.kind === 'folder' && (
          <span className="muted"> · {formatCount(monitor.filesSeen)} files seen</span>
        )}
      </td>
      <td data-testid="monitor-last-run">
        {lastRun ? (
          <button type="button" className="link" onClick={() => void openRun(lastRun.id)}>
            <span className={`drift-badge ${lastRun.status}`}>{statusLabel(lastRun.status)}</span>{' '}
            {formatShare(lastRun.driftShare)} · {formatTime(lastRun.createdAt)}
          </button>
        ) : (
          <span className="muted">never run</span>
        )}
        {message && <div className="muted small">{message}</div>}
      </td>
      <td className="actions">
        <button
          type="button"
          className="link"
          data-testid="monitor-pause"
          onClick={() =>
            void setMonitorPaused(monitor.id, !monitor.paused).then(
              (problem) => problem && onMessage(problem),
            )
          }
        >
          {monitor.paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="link"
          data-testid="monitor-run"
          onClick={() =>
            void runMonitor(monitor.id).then((problem) =>
              onMessage(problem ?? 'Running — see Running in the sidebar'),
            )
          }
        >
          Run now
        </button>
        <button
          type="button"
          className="link danger"
          data-testid="monitor-delete"
          onClick={() => {
            if (
              !window.confirm(
                `Delete the monitor “${displayText(monitor.name, 60)}”? Its stored runs stay.`,
              )
            )
              return
            void deleteMonitor(monitor.id).then((problem) => problem && onMessage(problem))
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  )
}

export function MonitorsPanel({ model }: { model: string }) {
  const { monitors, monitorsError, form } = useDrift()
  const { createMonitor } = useDrift.getState()
  const [draft, setDraft] = useState<MonitorFormInput>(() => emptyForm(model, form.version))
  const [creating, setCreating] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [rowMessage, setRowMessage] = useState<Record<number, string>>({})
  // Web mode runs as this user on this machine: a typed folder path is checked by the core as the
  // CLI checks it (exists, is a folder, readable); references are datasets or versions only.
  const web = client().face === 'web'
  const edit = (patch: Partial<MonitorFormInput>): void => setDraft({ ...draft, ...patch })

  return (
    <div className="card" data-testid="monitors-panel">
      <header className="drift-card-header">
        <h2>
          Monitors · <Text value={model} max={60} />
        </h2>
        <button type="button" onClick={() => setCreating(!creating)} data-testid="monitor-new">
          {creating ? 'Close' : 'New monitor…'}
        </button>
      </header>
      {web && (
        <p className="muted small" data-testid="monitor-web-note">
          Monitors watch a file or folder on the machine running this server; type its path. They
          run while web mode, the app or <code>slipway watch</code> is open.
        </p>
      )}
      <ErrorNote message={monitorsError} />
      {creating && (
        <MonitorForm
          draft={draft}
          edit={edit}
          error={error}
          onSubmit={() =>
            void createMonitor({ ...draft, model }).then((problem) => {
              setError(problem)
              if (!problem) {
                setCreating(false)
                setDraft(emptyForm(model, form.version))
              }
            })
          }
        />
      )}
      {monitors.length === 0 ? (
        <p className="muted" data-testid="monitors-empty">
          No monitors for this model yet.
        </p>
      ) : (
        <table className="data compact" data-testid="monitors-table">
          <thead>
            <tr>
              <th>Monitor</th>
              <th>Reference</th>
              <th>Current data</th>
              <th>Last run</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {monitors.map((monitor) => (
              <MonitorRow
                key={monitor.id}
                monitor={monitor}
                message={rowMessage[monitor.id]}
                onMessage={(text) => setRowMessage({ ...rowMessage, [monitor.id]: text })}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
