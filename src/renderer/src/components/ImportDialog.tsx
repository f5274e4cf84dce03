// The import dialog: data files dropped on the window are listed with the dataset name each will
// get (unique, editable) and imported only when the user says so.
import { formatBytes } from '../lib/format'
import { useImportDialog } from '../stores/import-dialog'
import { ErrorNote } from './ErrorNote'
import { ModalForm } from './shared/ModalForm'
import { Text } from './Text'

export function ImportDialog() {
  const { open, items, setName, close, confirm } = useImportDialog()
  if (!open) return null
  return (
    <ModalForm
      titleId="import-title"
      title={`Import ${items.length === 1 ? 'a data file' : `${items.length} data files`} as datasets?`}
      onSubmit={() => void confirm()}
      onClose={close}
      testId="import-dialog"
    >
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
    </ModalForm>
  )
}
