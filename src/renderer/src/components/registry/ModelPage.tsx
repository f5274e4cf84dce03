// One model: its description, aliases and every version with who registered it and when.
import { useEffect } from 'react'
import { formatTime } from '../../lib/format'
import { hrefFor, useRoute } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { useUndo } from '../../stores/undo'
import { ConfirmButton } from '../shared/ConfirmButton'
import { DriftStatusBadge } from '../drift/DriftStatusBadge'
import { ErrorNote } from '../ErrorNote'
import { PolicyEditor } from '../gates/PolicyEditor'
import { ResultsAcrossVersions } from './ResultsAcrossVersions'
import { VersionsTable } from './VersionsTable'
import { RetrainingPanel } from '../retraining/RetrainingPanel'
import { Text } from '../Text'
import { DeploymentTimeline } from '../governance/DeploymentTimeline'

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
            {model.archivedAt && (
              <span className="badge archived" data-testid="model-archived">
                archived {formatTime(model.archivedAt)}
              </span>
            )}
            <span className="spacer" />
            <ArchiveModel
              name={model.name}
              archived={model.archivedAt !== null}
              aliases={Object.keys(model.aliases)}
            />
          </header>
          {model.description && (
            <p className="description">
              <Text value={model.description} max={2000} />
            </p>
          )}
          <VersionsTable model={model.name} />
          <DeploymentTimeline model={model.name} />
          <ResultsAcrossVersions model={model.name} />
          <div className="card" data-testid="model-policy">
            <h2>Promotion policy</h2>
            <p className="muted small">
              The rules every version of {model.name} must pass before promotion, checked on each
              version&rsquo;s page and by <span className="mono">slipway gate</span>.
            </p>
            <PolicyEditor model={model.name} task={model.task} />
          </div>
          {model.aliasHistory.length > 0 && (
            <>
              <h2>Alias history</h2>
              <AliasHistoryTable events={model.aliasHistory} />
            </>
          )}
          <RetrainingPanel key={model.name} model={model.name} />
        </>
      )}
    </section>
  )
}

/** Archive the model (asked first, undoable from the bar), or bring it back. */
function ArchiveModel({
  name,
  archived,
  aliases,
}: {
  name: string
  archived: boolean
  aliases: string[]
}) {
  const archiveModel = useRegistry((state) => state.archiveModel)
  if (archived)
    return (
      <button
        type="button"
        onClick={() => void archiveModel(name, false)}
        data-testid="model-restore"
      >
        Restore model
      </button>
    )
  return (
    <ConfirmButton
      className=""
      label="Archive model…"
      question={`Archive ${name}? It leaves the models list; its versions, results and history stay.`}
      confirmLabel="Archive"
      disabled={aliases.length > 0}
      disabledReason={
        aliases.length
          ? `Its versions hold ${aliases.length === 1 ? 'the alias' : 'the aliases'} ${aliases.join(', ')}: remove ${aliases.length === 1 ? 'it' : 'them'} before archiving.`
          : undefined
      }
      onConfirm={async () => {
        const problem = await archiveModel(name, true)
        if (problem) return problem
        useUndo.getState().show(`Archived ${name}.`, async () => {
          const undone = await useRegistry.getState().archiveModel(name, false)
          if (!undone) useRoute.getState().navigate(hrefFor('registry', name))
          return undone
        })
        useRoute.getState().navigate(hrefFor('registry'))
        return null
      }}
      testId="model-archive"
    />
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
