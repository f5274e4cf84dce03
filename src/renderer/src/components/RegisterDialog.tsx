// The register dialog: which model each file becomes a version of, an alias and optional lineage
// (code version, parent, training data, description, hyperparameters), then each file's progress
// and result in plain words.
import { useEffect } from 'react'
import { useDatasets } from '../stores/datasets'
import { hrefFor, useRoute } from '../stores/route'
import { useRegistry } from '../stores/registry'
import { describeAliasOutcome } from '../../../api/registry'
import { isPending, useRegisterDialog, type RegisterItem } from '../stores/register-dialog'
import { ErrorNote } from './ErrorNote'
import { LineageFields } from './shared/LineageFields'
import { ModalForm } from './shared/ModalForm'
import { Text } from './Text'

export function RegisterDialog() {
  const {
    open,
    running,
    items,
    form,
    aliasProblem,
    lineageProblem,
    setModel,
    setForm,
    removeItem,
    submit,
    close,
  } = useRegisterDialog()
  const { models, loadModels } = useRegistry()
  const loadDatasets = useDatasets((state) => state.loadList)
  const navigate = useRoute((state) => state.navigate)

  useEffect(() => {
    if (!open) return
    void loadModels()
    void loadDatasets()
  }, [open, loadModels, loadDatasets])

  if (!open) return null
  const pending = items.filter(isPending).length
  const finished = items.length > 0 && pending === 0 && !running
  const anyDone = items.some((item) => item.status === 'registered' || item.status === 'existing')
  const retry = !running && items.some((item) => item.status === 'failed' && item.retryable)

  const openResult = (item: RegisterItem): void => {
    if (!item.result) return
    close()
    navigate(hrefFor('registry', item.result.model, item.result.version))
  }

  return (
    <ModalForm
      titleId="register-title"
      title={`Register ${items.length === 1 ? 'a model file' : `${items.length} model files`}`}
      onSubmit={() => void submit()}
      onClose={close}
      testId="register-dialog"
    >
      <datalist id="existing-models">
        {models.map((model) => (
          <option key={model.id} value={model.name} />
        ))}
      </datalist>
      <table className="data compact files">
        <thead>
          <tr>
            <th>File</th>
            <th>Model</th>
            <th>Result</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="register-row" data-status={item.status}>
              <td className="file-name">
                <Text value={item.fileName} max={60} />
              </td>
              <td>
                {item.status === 'skipped' ? (
                  <span className="muted">—</span>
                ) : (
                  <>
                    <input
                      list="existing-models"
                      value={item.model}
                      disabled={
                        running || item.status === 'registered' || item.status === 'existing'
                      }
                      onChange={(event) => setModel(item.id, event.target.value)}
                      aria-label={`Model for ${item.fileName}`}
                      data-testid="register-model"
                    />
                    <ErrorNote message={item.modelProblem} />
                  </>
                )}
              </td>
              <td data-testid="register-result">
                <ItemOutcome item={item} onOpen={() => openResult(item)} />
              </td>
              <td className="actions">
                {!running &&
                  (item.status === 'ready' ||
                    item.status === 'skipped' ||
                    item.status === 'failed') && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => removeItem(item.id)}
                      aria-label={`Remove ${item.fileName}`}
                    >
                      ×
                    </button>
                  )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {!finished && (
        <fieldset className="form-grid" disabled={running}>
          <label>
            <span>
              Alias <span className="muted">(optional)</span>
            </span>
            <input
              value={form.alias}
              onChange={(event) => setForm({ alias: event.target.value })}
              placeholder="challenger"
              data-testid="register-alias"
            />
            <ErrorNote message={aliasProblem} />
          </label>
          <p className="wide muted small" data-testid="register-lineage">
            Lineage, all optional: what made these files. Editable later on each version’s page.
          </p>
          <LineageFields draft={form} onChange={setForm} testIdPrefix="register" />
          <ErrorNote message={lineageProblem} testId="register-lineage-error" />
        </fieldset>
      )}

      <div className="modal-actions">
        <button type="button" onClick={close} disabled={running} data-testid="register-close">
          {finished || anyDone ? 'Close' : 'Cancel'}
        </button>
        {!finished && (
          <button
            type="submit"
            className="primary"
            disabled={running || pending === 0}
            data-testid="register-submit"
          >
            {running
              ? 'Registering…'
              : retry
                ? 'Try again'
                : pending > 1
                  ? `Register ${pending} files`
                  : 'Register'}
          </button>
        )}
      </div>
    </ModalForm>
  )
}

function ItemOutcome({ item, onOpen }: { item: RegisterItem; onOpen: () => void }) {
  switch (item.status) {
    case 'ready':
      return <span className="muted">Ready</span>
    case 'skipped':
      return <span className="error-text">{item.error}</span>
    case 'uploading':
      return (
        <span>
          Uploading {Math.round(item.progress * 100)}% <progress value={item.progress} max={1} />
        </span>
      )
    case 'registering':
      return <span>Registering…</span>
    case 'registered':
      return (
        <>
          <button type="button" className="link ok" onClick={onOpen} data-testid="register-open">
            Registered as <Text value={item.result?.model ?? ''} max={60} /> v{item.result?.version}
          </button>
          <AliasOutcome item={item} />
        </>
      )
    case 'existing':
      return (
        <>
          <button type="button" className="link" onClick={onOpen} data-testid="register-open">
            Already registered as v{item.result?.version}
            {item.result && item.result.model !== item.model.trim() ? ' of ' : ''}
            {item.result && item.result.model !== item.model.trim() ? (
              <Text value={item.result.model} max={60} />
            ) : null}
          </button>
          <AliasOutcome item={item} />
        </>
      )
    case 'failed':
      return (
        <span className="error-text" role="alert">
          {item.error}
        </span>
      )
  }
}

function AliasOutcome({ item }: { item: RegisterItem }) {
  const text = item.result ? describeAliasOutcome(item.result) : null
  if (!text) return null
  return (
    <div className="small" data-testid="register-alias-outcome">
      <Text value={text} max={120} />
    </div>
  )
}
