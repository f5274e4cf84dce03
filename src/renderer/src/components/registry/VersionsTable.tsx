// A model's versions: a filter (number, alias, tag, file, description) answered by the registry,
// pages loaded as the table scrolls, and only the rows in view in the DOM.
import { useCallback, useEffect } from 'react'
import { formatBytes, formatTime, shortHash } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { ErrorNote } from '../ErrorNote'
import { EvaluationCell, EvaluationColumnHeader } from '../gates/ModelEvaluationColumn'
import { ProtectedLock } from '../governance/LockIcon'
import { VirtualTable } from '../shared/VirtualTable'
import { Text } from '../Text'

export function VersionsTable({ model }: { model: string }) {
  const versions = useRegistry((state) => state.versions)
  const versionsModel = useRegistry((state) => state.versionsModel)
  const status = useRegistry((state) => state.versionsStatus)
  const error = useRegistry((state) => state.versionsError)
  const total = useRegistry((state) => state.versionsTotal)
  const cursor = useRegistry((state) => state.versionsCursor)
  const search = useRegistry((state) => state.versionsSearch)
  const { loadVersions, loadMoreVersions, setVersionsSearch } = useRegistry.getState()
  const onMore = useCallback(() => void loadMoreVersions(), [loadMoreVersions])

  // The model page's `loadModel` asks for the first page with the model; anywhere else, here.
  useEffect(() => {
    if (useRegistry.getState().versionsModel !== model) void loadVersions(model)
  }, [model, loadVersions])

  const shown = versionsModel === model ? versions : []
  return (
    <div className="versions" data-testid="versions">
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Filter versions: number, alias, tag, file"
          aria-label="Filter versions"
          value={versionsModel === model ? search : ''}
          onChange={(event) => void setVersionsSearch(event.target.value)}
          data-testid="version-search"
        />
        <span className="muted small" data-testid="versions-count">
          {search.trim()
            ? `${total} ${total === 1 ? 'version matches' : 'versions match'}`
            : `${total} ${total === 1 ? 'version' : 'versions'}`}
        </span>
      </div>
      <ErrorNote message={error} testId="versions-error" />
      {status === 'loading' && <p className="muted">Loading…</p>}
      {status === 'ready' && shown.length === 0 && search.trim() !== '' && (
        <p className="muted" data-testid="versions-empty">
          No version matches “<Text value={search} max={80} />
          ”.
        </p>
      )}
      <VirtualTable
        rows={shown}
        rowKey={(version) => version.id}
        columns={7}
        estimateRowHeight={58}
        hasMore={cursor !== null}
        onMore={onMore}
        testId="versions-table"
        header={
          <tr>
            <th>Version</th>
            <th>File</th>
            <th>Aliases</th>
            <EvaluationColumnHeader model={model} />
            <th>Tags</th>
            <th>Registered</th>
            <th className="hide-narrow">SHA-256</th>
          </tr>
        }
        renderRow={(version, index, measure) => (
          <tr key={version.id} data-testid="version-row" data-index={index} ref={measure}>
            <td>
              <a href={hrefFor('registry', model, version.version)} data-testid="version-link">
                v{version.version}
              </a>
              {version.archivedAt && (
                <span className="badge archived" data-testid="version-archived">
                  archived
                </span>
              )}
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
            <EvaluationCell model={model} version={version.version} />
            <td>
              {Object.entries(version.tags).map(([key, value]) => (
                <span key={key} className="tag">
                  <Text value={key} max={40} />=<Text value={value} max={40} />
                </span>
              ))}
            </td>
            <td>
              <Text value={version.registeredBy} max={64} />
              <div className="muted small">{formatTime(version.registeredAt)}</div>
            </td>
            <td className="mono muted hide-narrow" title={version.sha256}>
              {shortHash(version.sha256)}
            </td>
          </tr>
        )}
      />
    </div>
  )
}
