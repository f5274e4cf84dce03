// The registry's front page: every model with its version count, latest version and aliases;
// a page at a time from the registry, only the rows in view in the DOM.
import { useCallback, useEffect } from 'react'
import { formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRegistry } from '../../stores/registry'
import { DriftStatusBadge } from '../drift/DriftStatusBadge'
import { ErrorNote } from '../ErrorNote'
import { VirtualTable } from '../shared/VirtualTable'
import { Text } from '../Text'

export function ModelsList() {
  const {
    models,
    modelsStatus,
    modelsError,
    search,
    setSearch,
    loadModels,
    showArchived,
    setShowArchived,
    modelsTotal,
    modelsCursor,
    loadMoreModels,
  } = useRegistry()
  const onMore = useCallback(() => void loadMoreModels(), [loadMoreModels])

  useEffect(() => {
    void loadModels()
  }, [loadModels])

  return (
    <section>
      <header className="page-header">
        <h1>Models</h1>
        <input
          type="search"
          className="search"
          placeholder="Search models"
          aria-label="Search models"
          value={search}
          onChange={(event) => void setSearch(event.target.value)}
          data-testid="model-search"
        />
        <label className="inline-label small">
          <input
            type="checkbox"
            checked={showArchived}
            onChange={(event) => void setShowArchived(event.target.checked)}
            data-testid="models-show-archived"
          />{' '}
          Show archived
        </label>
      </header>
      <ErrorNote message={modelsError} testId="models-error" />
      {modelsStatus === 'loading' && <p className="muted">Loading…</p>}
      {modelsStatus === 'ready' && models.length === 0 && (
        <div className="empty" data-testid="models-empty">
          {search.trim() ? (
            <p>No model matches “{search}”.</p>
          ) : (
            <>
              <p>No models yet.</p>
              <p className="muted">
                Register a model: drop .onnx files anywhere on this window, or use the Register
                model… button in the sidebar.
                {!showArchived && ' Archived models are listed with “Show archived”.'}
              </p>
            </>
          )}
        </div>
      )}
      {models.length > 0 && (
        <>
          {modelsTotal > models.length && (
            <p className="muted small" data-testid="models-count">
              {modelsTotal} models; more load as you scroll.
            </p>
          )}
          <VirtualTable
            rows={models}
            rowKey={(model) => model.id}
            columns={6}
            estimateRowHeight={58}
            hasMore={modelsCursor !== null}
            onMore={onMore}
            testId="models-table"
            header={
              <tr>
                <th>Model</th>
                <th className="num">Versions</th>
                <th className="num">Latest</th>
                <th>Aliases</th>
                <th>Drift</th>
                <th>Updated</th>
              </tr>
            }
            renderRow={(model, index, measure) => (
              <tr key={model.id} data-testid="model-row" data-index={index} ref={measure}>
                <td>
                  <a href={hrefFor('registry', model.name)} data-testid="model-link">
                    <Text value={model.name} max={80} />
                  </a>
                  {model.archivedAt && (
                    <span className="badge archived" data-testid="model-archived">
                      archived
                    </span>
                  )}
                  {model.description && (
                    <div className="muted small">
                      <Text value={model.description} max={120} />
                    </div>
                  )}
                </td>
                <td className="num">{model.versionCount}</td>
                <td className="num">
                  {model.latestVersion !== null ? (
                    <a href={hrefFor('registry', model.name, model.latestVersion)}>
                      v{model.latestVersion}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {Object.entries(model.aliases).map(([alias, version]) => (
                    <span key={alias} className="badge">
                      <Text value={alias} max={64} /> → v{version}
                    </span>
                  ))}
                </td>
                <td>
                  <DriftStatusBadge model={model.name} />
                </td>
                <td className="muted">{formatTime(model.updatedAt)}</td>
              </tr>
            )}
          />
        </>
      )}
    </section>
  )
}
