// The register dialog: which model each file becomes a version of, optional lineage, then each
// file's progress and result in plain words.
import { useEffect, useRef, type FormEvent } from 'react'
import { hrefFor, useRoute } from '../stores/route'
import { useRegistry } from '../stores/registry'
import { describeAliasOutcome } from '../../../api/registry'
import { isPending, useRegisterDialog, type RegisterItem } from '../stores/register-dialog'
import { ErrorNote } from './ErrorNote'
import { Text } from './Text'

export function RegisterDialog() {
  const { open, running, items, form, aliasProblem, setModel, setForm, removeItem, submit, close } =
    useRegisterDialog()
  const { models, loadModels } = useRegistry()
  const navigate = useRoute((state) => state.navigate)

  useEffect(() => {
    if (open) void loadModels()
  }, [open, loadModels])

  useEffect(() => {
    if (!open) return
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') close()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open, close])

  // A keyboard user lands in the dialog (the page behind it is inert, see AppFrame) and goes back
  // to where they were when it closes.
  const dialog = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (!open) return
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const first = dialog.current?.querySelector<HTMLElement>(
      'input:not([disabled]), textarea:not([disabled]), button:not([disabled])',
    )
    ;(first ?? dialog.current)?.focus()
    return () => {
      if (before?.isConnected) before.focus()
    }
  }, [open])

  if (!open) return null
  const pending = items.filter(isPending).length
  const finished = items.length > 0 && pending === 0 && !running
  const anyDone = items.some((item) => item.status === 'registered' || item.status === 'existing')
  const retry = !running && items.some((item) => item.status === 'failed' && item.retryable)

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    void submit()
  }
  const openResult = (item: RegisterItem): void => {
    if (!item.result) return
    close()
    navigate(hrefFor('registry', item.result.model, item.result.version))
  }

  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        tabIndex={-1}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="register-title"
        onSubmit={onSubmit}
        data-testid="register-dialog"
      >
        <h2 id="register-title">
          Register {items.length === 1 ? 'a model file' : `${items.length} model files`}
        </h2>
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
                Code version <span className="muted">(optional)</span>
              </span>
              <input
                value={form.codeVersion}
                onChange={(event) => setForm({ codeVersion: event.target.value })}
                placeholder="git commit or tag"
                data-testid="register-code-version"
              />
            </label>
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
            <label className="wide">
              <span>
                Description <span className="muted">(optional)</span>
              </span>
              <textarea
                value={form.description}
                onChange={(event) => setForm({ description: event.target.value })}
                rows={2}
                data-testid="register-description"
              />
            </label>
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
      </form>
    </div>
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
