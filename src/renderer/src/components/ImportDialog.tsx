// The import dialog: data files dropped on the window are listed with the dataset name each will
// get (unique, editable) and imported only when the user says so.
import { useEffect, useRef, type FormEvent } from 'react'
import { formatBytes } from '../lib/format'
import { useImportDialog } from '../stores/import-dialog'
import { ErrorNote } from './ErrorNote'
import { Text } from './Text'

export function ImportDialog() {
  const { open, items, setName, close, confirm } = useImportDialog()
  const dialog = useRef<HTMLFormElement>(null)

  useEffect(() => {
    if (!open) return
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.current?.querySelector<HTMLElement>('input')?.focus()
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') close()
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('keydown', onKey)
      if (before?.isConnected) before.focus()
    }
  }, [open, close])

  if (!open) return null
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    void confirm()
  }
  return (
    <div className="modal-backdrop">
      <form
        ref={dialog}
        tabIndex={-1}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="import-title"
        onSubmit={onSubmit}
        data-testid="import-dialog"
      >
        <h2 id="import-title">
          Import {items.length === 1 ? 'a data file' : `${items.length} data files`} as datasets?
        </h2>
        <p className="muted">
          Each file is read, profiled and kept as a dataset under the name below. Dataset names are
          unique; you can rename a dataset later on its page.
        </p>
        <table className="data compact files">
          <thead>
            <tr>
              <th>File</th>
              <th>Dataset name</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-testid="import-row">
                <td className="file-name">
                  <Text value={item.file.name} max={60} />
                  <div className="muted small">{formatBytes(item.file.size)}</div>
                </td>
                <td>
                  <input
                    value={item.name}
                    onChange={(event) => setName(item.id, event.target.value)}
                    aria-label={`Dataset name for ${item.file.name}`}
                    data-testid="import-name"
                  />
                  <ErrorNote message={item.problem} testId="import-name-error" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="modal-actions">
          <button type="button" onClick={close} data-testid="import-cancel">
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="import-confirm">
            {items.length === 1 ? 'Import' : `Import ${items.length} files`}
          </button>
        </div>
      </form>
    </div>
  )
}
