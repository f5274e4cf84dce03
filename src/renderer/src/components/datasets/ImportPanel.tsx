// "Import dataset…": the file picker, and each import's upload, progress, cancel and outcome,
// with a bad file's message (naming the row and column) shown right here.
import { useRef } from 'react'
import { hrefFor } from '../../stores/route'
import { useDatasets, type DatasetImport } from '../../stores/datasets'
import { useImportDialog } from '../../stores/import-dialog'
import { formatCount } from '../../lib/format'
import { Text } from '../Text'

export function ImportButton({
  onImported,
  label = 'Import dataset…',
  testId = 'dataset-import-button',
  origin = 'datasets',
  ask = false,
}: {
  /** Let the user name the datasets first (the Datasets page); forms import at once. */
  ask?: boolean
  onImported?: (id: number) => void
  origin?: string
  label?: string
  testId?: string
}) {
  const input = useRef<HTMLInputElement>(null)
  const importFiles = useDatasets((state) => state.importFiles)
  return (
    <>
      <button type="button" onClick={() => input.current?.click()} data-testid={testId}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".csv,.tsv,.txt,.parquet"
        hidden
        data-testid={`${testId}-input`}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? [])
          event.target.value = ''
          if (files.length === 0) return
          if (ask) return void useImportDialog.getState().openWith(files, { openAfter: false })
          void importFiles(files, origin).then((imported) => {
            const last = imported[imported.length - 1]
            if (last && onImported) onImported(last.id)
          })
        }}
      />
    </>
  )
}

/** The imports started from one form, so the Evaluate form does not repeat the Datasets page's. */
export function ImportList({ origin = 'datasets' }: { origin?: string }) {
  const all = useDatasets((state) => state.imports)
  const imports = all.filter((item) => item.origin === origin)
  if (imports.length === 0) return null
  return (
    <ul className="imports" data-testid="dataset-imports">
      {imports.map((item) => (
        <ImportRow key={item.id} item={item} />
      ))}
    </ul>
  )
}

function ImportRow({ item }: { item: DatasetImport }) {
  const { cancelImport, dismissImport } = useDatasets()
  const progress = item.job?.progress
  const fraction =
    item.status === 'uploading'
      ? item.upload
      : progress?.total
        ? Math.min(1, progress.done / progress.total)
        : undefined
  return (
    <li
      className={`import import-${item.status}`}
      data-testid="dataset-import"
      data-status={item.status}
    >
      <div className="import-head">
        <span className="file-name">
          <Text value={item.fileName} max={80} />
        </span>
        {(item.status === 'uploading' || item.status === 'importing') && (
          <button
            type="button"
            className="link"
            onClick={() => void cancelImport(item.id)}
            disabled={!item.job}
            data-testid="dataset-import-cancel"
          >
            Cancel
          </button>
        )}
        {(item.status === 'done' || item.status === 'failed' || item.status === 'cancelled') && (
          <button
            type="button"
            className="link"
            onClick={() => dismissImport(item.id)}
            aria-label={`Dismiss ${item.fileName}`}
          >
            ×
          </button>
        )}
      </div>
      {(item.status === 'uploading' || item.status === 'importing') && (
        <>
          <progress value={fraction} max={1} />
          <div className="muted small">
            {item.status === 'uploading' ? (
              `Uploading ${Math.round(item.upload * 100)}%`
            ) : (
              <Text value={progress?.message ?? 'Reading'} max={120} />
            )}
          </div>
        </>
      )}
      {item.status === 'done' && item.result && (
        <div className="ok-text" data-testid="dataset-import-done">
          {item.result.existing ? 'Already imported as ' : 'Imported as '}
          <a href={hrefFor('datasets', item.result.id)}>
            <Text value={item.result.name} max={80} />
          </a>{' '}
          · {formatCount(item.result.rows)} rows · {item.result.columns.length} columns
        </div>
      )}
      {item.status === 'cancelled' && (
        <div className="muted">Import cancelled; nothing was stored.</div>
      )}
      {item.status === 'failed' && item.error && (
        <p className="error-note" role="alert" data-testid="dataset-import-error">
          <Text value={item.error.message} max={600} />
        </p>
      )}
    </li>
  )
}
