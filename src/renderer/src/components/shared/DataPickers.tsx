// Pickers for a dataset and one of its columns, and the drop of a data file onto a run form, shared
// by the Evaluate, Compare and gate forms.
import { useEffect } from 'react'
import { displayText } from '../../../../api/display'
import { addDropHandler } from '../../lib/drop-targets'
import { isDatasetFileName, useDatasets } from '../../stores/datasets'

export function DatasetSelect({
  value,
  onChange,
  testId,
}: {
  value: number | null
  onChange: (id: number | null) => void
  testId: string
}) {
  const datasets = useDatasets((state) => state.datasets)
  return (
    <select
      value={value === null ? '' : String(value)}
      onChange={(event) => onChange(event.target.value ? Number(event.target.value) : null)}
      data-testid={testId}
    >
      <option value="">Choose a dataset…</option>
      {datasets.map((dataset) => (
        <option key={dataset.id} value={String(dataset.id)}>
          {displayText(dataset.name, 60)} ({dataset.rows.toLocaleString('en-US')} rows)
        </option>
      ))}
    </select>
  )
}

/** One of a dataset's columns, or the empty choice (`emptyLabel`: "Automatic", "No slices"). */
export function ColumnSelect({
  value,
  columns,
  onChange,
  emptyLabel,
  testId,
}: {
  value: string
  columns: readonly string[] | undefined
  onChange: (column: string) => void
  emptyLabel: string
  testId: string
}) {
  return (
    <select value={value} onChange={(event) => onChange(event.target.value)} data-testid={testId}>
      <option value="">{emptyLabel}</option>
      {columns?.map((column) => (
        <option key={column} value={column}>
          {displayText(column, 60)}
        </option>
      ))}
    </select>
  )
}

/**
 * While the form is shown, a data file dropped on the window is imported and the last one imported
 * becomes the form's dataset. Registered once: `onImported` must reach its store through getState().
 */
export function useDatasetDrop(origin: string, onImported: (datasetId: number) => void): void {
  useEffect(
    () =>
      addDropHandler({
        accepts: (file) => isDatasetFileName(file.name),
        take: (files) =>
          void useDatasets
            .getState()
            .importFiles(files, origin)
            .then((imported) => {
              const last = imported[imported.length - 1]
              if (last) onImported(last.id)
            }),
        describe: `Data files (.csv, .parquet): imported as datasets and used by this ${origin === 'compare' ? 'comparison' : origin === 'drift' ? 'drift check' : 'evaluation'}`,
      }),
    [],
  )
}

/** The label column and the column to slice by, for a run form whose test ids start with `prefix`. */
export function LabelAndSliceFields({
  label,
  slice,
  columns,
  onChange,
  prefix,
}: {
  label: string
  slice: string
  columns: readonly string[] | undefined
  onChange: (patch: { label: string } | { slice: string }) => void
  prefix: string
}) {
  return (
    <>
      <label>
        Label column
        <ColumnSelect
          value={label}
          columns={columns}
          onChange={(value) => onChange({ label: value })}
          emptyLabel="Automatic"
          testId={`${prefix}-label`}
        />
      </label>
      <label>
        Slice by
        <ColumnSelect
          value={slice}
          columns={columns}
          onChange={(value) => onChange({ slice: value })}
          emptyLabel="No slices"
          testId={`${prefix}-slice`}
        />
      </label>
    </>
  )
}
