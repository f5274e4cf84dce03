// Remotes view: add a shared store (a folder or an S3 bucket), see each one's status, sync with
// progress and cancel, the objects a pull rejected and why, and where each version lives.
import { useEffect, useState } from 'react'
import { ErrorNote } from '../components/ErrorNote'
import { Text } from '../components/Text'
import { formatBytes, formatTime, shortHash } from '../lib/format'
import { useRemotes, type AddRemoteForm } from '../stores/remotes'
import type { ViewDefinition } from './types'

const emptyForm: AddRemoteForm = {
  kind: 'folder',
  name: '',
  location: '',
  endpoint: '',
  region: '',
  trust: '',
}

function AddRemote() {
  const { add, adding, addError } = useRemotes()
  const [form, setForm] = useState<AddRemoteForm>(emptyForm)
  const field = (key: keyof AddRemoteForm) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  })
  return (
    <form
      className="card"
      data-testid="remote-add-form"
      onSubmit={(e) => {
        e.preventDefault()
        void add(form).then((ok) => ok && setForm(emptyForm))
      }}
    >
      <h2>Add a shared store</h2>
      <div className="form-row">
        <label>
          <input
            type="radio"
            checked={form.kind === 'folder'}
            onChange={() => setForm({ ...form, kind: 'folder' })}
            data-testid="remote-kind-folder"
          />{' '}
          Folder (a network share or synced folder)
        </label>
        <label>
          <input
            type="radio"
            checked={form.kind === 's3'}
            onChange={() => setForm({ ...form, kind: 's3' })}
            data-testid="remote-kind-s3"
          />{' '}
          S3-compatible bucket
        </label>
      </div>
      <div className="form-row">
        <label>
          Name <input {...field('name')} placeholder="team" data-testid="remote-name" />
        </label>
        <label className="wide">
          {form.kind === 'folder' ? 'Folder path' : 'Bucket and prefix'}{' '}
          <input
            {...field('location')}
            placeholder={form.kind === 'folder' ? '/Volumes/share/slipway' : 's3://bucket/prefix'}
            data-testid="remote-location"
          />
        </label>
      </div>
      {form.kind === 's3' && (
        <div className="form-row">
          <label>
            Endpoint{' '}
            <input
              {...field('endpoint')}
              placeholder="https://minio.example:9000 (optional)"
              data-testid="remote-endpoint"
            />
          </label>
          <label>
            Region{' '}
            <input {...field('region')} placeholder="us-east-1" data-testid="remote-region" />
          </label>
        </div>
      )}
      <div className="form-row">
        <label className="wide">
          Team root fingerprint{' '}
          <input
            {...field('trust')}
            placeholder="to join an existing store (from `slipway team show`)"
            data-testid="remote-trust"
          />
        </label>
      </div>
      <p className="muted small">
        An empty store is started with this laptop&apos;s team policy. Credentials for S3 come from
        the usual AWS environment variables or profiles.
      </p>
      <button className="primary" type="submit" disabled={adding} data-testid="remote-add">
        {adding ? 'Checking the store…' : 'Add store'}
      </button>
      <ErrorNote message={addError} testId="remote-add-error" />
    </form>
  )
}

function SyncStatus() {
  const { syncing, progress, cancel, syncError, lastResult } = useRemotes()
  if (syncing) {
    const t = progress?.transfer
    return (
      <div className="run-progress" role="status" data-testid="sync-progress">
        <div className="run-progress-line">
          <progress value={t && t.total ? t.done / t.total : undefined} max={1} />
          <button type="button" onClick={() => void cancel()} data-testid="sync-cancel">
            Cancel
          </button>
        </div>
        <span className="muted small">
          Syncing with <Text value={syncing} max={64} />:{' '}
          {progress ? (
            <Text value={`${progress.phase} ${progress.message}`} max={160} />
          ) : (
            'starting'
          )}
          {t &&
            ` — ${formatBytes(t.done)} of ${formatBytes(t.total)}, ${formatBytes(t.bytesPerSecond)}/s${t.etaSeconds !== null ? `, ${Math.ceil(t.etaSeconds)} s left` : ''}`}
        </span>
      </div>
    )
  }
  return (
    <>
      <ErrorNote message={syncError} testId="sync-error" />
      {lastResult && (
        <p className="note" data-testid="sync-result">
          Pulled {lastResult.pulled.versions} version(s) and {lastResult.pulled.records} record(s);
          published{' '}
          {lastResult.pushed
            .map((p) => `${p.model} v${p.localVersion} as team #${p.version}`)
            .join(', ') || 'nothing new'}
          ; {lastResult.records} record(s) sent.
          {lastResult.pulled.rejected.length > 0 &&
            ` ${lastResult.pulled.rejected.length} object(s) rejected (listed below).`}
        </p>
      )}
    </>
  )
}

function RemotesView() {
  const {
    remotes,
    teamVersions,
    rejections,
    listError,
    load,
    sync,
    syncing,
    remove,
    loadRejections,
  } = useRemotes()
  useEffect(() => {
    void load().then(() => {
      for (const r of useRemotes.getState().remotes) void loadRejections(r.name)
    })
  }, [load, loadRejections])
  return (
    <section>
      <header className="page-header">
        <h1>Remotes</h1>
      </header>
      <ErrorNote message={listError} testId="remotes-error" />
      <SyncStatus />
      {remotes.length === 0 ? (
        <div className="empty" data-testid="remotes-empty">
          <p>No shared store yet: versions live on this laptop only.</p>
        </div>
      ) : (
        <table className="data" data-testid="remotes-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Where</th>
              <th>Team root</th>
              <th>Last sync</th>
              <th className="num">Rejected</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {remotes.map((r) => (
              <tr key={r.name} data-testid="remote-row">
                <td>
                  <Text value={r.name} max={64} />
                </td>
                <td className="mono">
                  <Text value={r.location} max={120} />
                  {r.endpoint && (
                    <div className="muted small">
                      <Text value={r.endpoint} max={120} />
                    </div>
                  )}
                </td>
                <td className="mono muted" title={r.root}>
                  {shortHash(r.root)}
                </td>
                <td className="muted nowrap">
                  {r.lastSyncAt ? formatTime(r.lastSyncAt) : 'never'}
                </td>
                <td className="num" data-testid="remote-rejected">
                  {r.rejected}
                </td>
                <td className="actions">
                  <button
                    className="primary"
                    type="button"
                    disabled={syncing !== null}
                    onClick={() => void sync(r.name)}
                    data-testid="remote-sync"
                  >
                    Sync
                  </button>{' '}
                  <button
                    type="button"
                    disabled={syncing !== null}
                    onClick={() => void remove(r.name)}
                    data-testid="remote-remove"
                  >
                    Forget
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remotes.map((r) =>
        (rejections[r.name] ?? []).length ? (
          <div className="card" key={`rej-${r.name}`} data-testid="rejected-list">
            <h2>
              Rejected from <Text value={r.name} max={64} />: not applied
            </h2>
            <table className="data compact">
              <thead>
                <tr>
                  <th>Object</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {(rejections[r.name] ?? []).map((x) => (
                  <tr key={x.object} data-testid="rejected-row">
                    <td className="mono">
                      <Text value={x.object} max={100} />
                    </td>
                    <td>
                      <Text value={x.reason} max={400} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null,
      )}
      {teamVersions.length > 0 && (
        <div className="card">
          <h2>Published versions</h2>
          <p className="muted small">
            Team numbers (#) are the same on every laptop; local numbers (v) are this laptop&apos;s
            own.
          </p>
          <table className="data compact" data-testid="team-versions">
            <thead>
              <tr>
                <th>Model</th>
                <th className="num">Team #</th>
                <th>On this laptop</th>
                <th>Store</th>
                <th>How it got here</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {teamVersions.map((v) => (
                <tr key={`${v.remote}-${v.model}-${v.sha256}`} data-testid="team-version-row">
                  <td>
                    <Text value={v.model} max={80} />
                  </td>
                  <td className="num">#{v.teamNumber}</td>
                  <td>
                    {v.localVersion === null ? 'not on this laptop' : `v${v.localVersion} (local)`}
                  </td>
                  <td>
                    <Text value={v.remote} max={64} />
                  </td>
                  <td className="muted">
                    {v.origin === 'pushed'
                      ? 'published from this laptop'
                      : `pulled, published by ${v.publishedBy ? shortHash(v.publishedBy) : 'unknown'}`}
                  </td>
                  <td className="mono muted" title={v.sha256}>
                    {shortHash(v.sha256)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddRemote />
    </section>
  )
}

export const remotesView: ViewDefinition = {
  id: 'remotes',
  title: 'Remotes',
  icon: '⇅',
  component: RemotesView,
}
