// One model: its description, aliases and every version with who registered it and when.
import { useEffect } from 'react'
import { formatBytes, formatTime, shortHash } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { DriftStatusBadge } from '../drift/DriftStatusBadge'
import { ErrorNote } from '../ErrorNote'
import { EvaluationCell, EvaluationColumnHeader } from '../gates/ModelEvaluationColumn'
import { Text } from '../Text'
import { DeploymentTimeline } from '../governance/DeploymentTimeline'
import { ProtectedLock } from '../governance/LockIcon'

export function ModelPage({ name }: { name: string }) {
  const { model, modelStatus, modelError, loadModel } = useRegistry()

  useEffect(() => {
    void loadModel(name)
  }, [name, loadModel])

  return (
    <section>
      <nav className="breadcrumb">
        <a href={hrefFor('registry')}>Models</a> / <Text value={name} max={80} />
      </nav>
      <ErrorNote message={modelError} testId="model-error" />
      {modelStatus === 'loading' && <p className="muted">Loading…</p>}
      {model && model.name === name && (
        <>
          <header className="page-header">
            <h1 data-testid="model-title">
              <Text value={model.name} max={80} />
            </h1>
            <span className="muted">
              {model.versionCount} {model.versionCount === 1 ? 'version' : 'versions'}
            </span>
            <span className="muted">
              Drift: <DriftStatusBadge model={model.name} />
            </span>
          </header>
          {model.description && (
            <p className="description">
              <Text value={model.description} max={2000} />
            </p>
          )}
          <table className="data" data-testid="versions-table">
            <thead>
              <tr>
                <th>Version</th>
                <th>File</th>
                <th>Aliases</th>
                <EvaluationColumnHeader model={model.name} />
                <th>Tags</th>
                <th>Registered by</th>
                <th>Registered at</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {model.versions.map((version) => (
                <tr key={version.id} data-testid="version-row">
                  <td>
                    <a
                      href={hrefFor('registry', model.name, version.version)}
                      data-testid="version-link"
                    >
                      v{version.version}
                    </a>
                  </td>
                  <td>
                    <Text value={version.fileName} max={60} />{' '}
                    <span className="muted small">{formatBytes(version.size)}</span>
                  </td>
                  <td>
                    {version.aliases.map((alias) => (
                      <span key={alias} className="badge">
                        <ProtectedLock alias={alias} />
                        <Text value={alias} max={64} />
                      </span>
                    ))}
                  </td>
                  <EvaluationCell model={model.name} version={version.version} />
                  <td>
                    {Object.entries(version.tags).map(([key, value]) => (
                      <span key={key} className="tag">
                        <Text value={key} max={40} />=<Text value={value} max={40} />
                      </span>
                    ))}
                  </td>
                  <td>
                    <Text value={version.registeredBy} max={64} />
                  </td>
                  <td className="muted">{formatTime(version.registeredAt)}</td>
                  <td className="mono muted" title={version.sha256}>
                    {shortHash(version.sha256)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <DeploymentTimeline model={model.name} />
          {model.aliasHistory.length > 0 && (
            <>
              <h2>Alias history</h2>
              <AliasHistoryTable events={model.aliasHistory} />
            </>
          )}
        </>
      )}
    </section>
  )
}

export function AliasHistoryTable({
  events,
}: {
  events: Array<{
    alias: string
    fromVersion: number | null
    toVersion: number | null
    at: string
    by: string
  }>
}) {
  return (
    <table className="data compact" data-testid="alias-history">
      <thead>
        <tr>
          <th>When</th>
          <th>Alias</th>
          <th>Change</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => (
          <tr key={`${event.at}-${index}`}>
            <td className="muted">{formatTime(event.at)}</td>
            <td>
              <Text value={event.alias} max={64} />
            </td>
            <td>
              {event.fromVersion === null ? 'set to ' : `v${event.fromVersion} → `}
              {event.toVersion === null ? 'removed' : `v${event.toVersion}`}
            </td>
            <td>
              <Text value={event.by} max={64} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
