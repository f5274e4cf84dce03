// The comparison form: reference (a version's training data, a dataset or a file), current data,
// an optional model version for prediction drift, time windows or chunks, bins and thresholds.
import { useRef, type ReactNode } from 'react'
import { DriftTest, WindowUnit } from '../../../../api/drift'
import {
  useDrift,
  type CurrentKind,
  type DriftForm,
  type FormProblems,
  type ReferenceKind,
  type TimeMode,
} from '../../stores/drift'
import { formatBytes, formatCount } from '../../lib/format'
import { testLabel } from '../../lib/charts/drift-format'
import { displayText } from '../../../../api/display'
import { ErrorNote } from '../ErrorNote'
import { ModelSelect, versionLabel } from '../shared/ModelPickers'
import { RunProgress } from './RunProgress'

const DATA_ACCEPT = '.csv,.parquet,.tsv,.txt'

/** Columns of a production log: the form field, its title and its test id. */
const LOG_ROLES = [
  ['logPrediction', 'Served prediction column', 'drift-log-prediction'],
  ['logScore', 'Served score column', 'drift-log-score'],
  ['logLatency', 'Latency column', 'drift-log-latency'],
  ['logValue', 'Business value column', 'drift-log-value'],
] as const

function FilePicker({
  side,
  file,
  onPick,
}: {
  side: 'reference' | 'current'
  file: File | null
  onPick(file: File | null): void
}) {
  const input = useRef<HTMLInputElement>(null)
  return (
    <span className="file-pick">
      <button
        type="button"
        onClick={() => input.current?.click()}
        data-testid={`drift-${side}-pick`}
      >
        {file ? 'Change file…' : 'Choose file…'}
      </button>{' '}
      <span className="muted small" data-testid={`drift-${side}-file-name`}>
        {file ? `${displayText(file.name, 60)} · ${formatBytes(file.size)}` : 'CSV or Parquet'}
      </span>
      <input
        ref={input}
        type="file"
        accept={DATA_ACCEPT}
        hidden
        data-testid={`drift-${side}-file`}
        onChange={(event) => {
          const picked = event.target.files?.[0] ?? null
          event.target.value = ''
          if (picked) onPick(picked)
        }}
      />
    </span>
  )
}

/** One side of the comparison: where its data comes from, and that dataset or file. */
function DataSide({
  side,
  title,
  kind,
  onKind,
  version,
  dataset,
  onDataset,
  datasetOptions,
  file,
  onPick,
  problem,
}: {
  side: 'reference' | 'current'
  title: string
  kind: ReferenceKind
  onKind(kind: ReferenceKind): void
  /** Offers the version's training data (the reference side only). */
  version?: { enabled: boolean; note: string }
  dataset: string
  onDataset(id: string): void
  datasetOptions: ReactNode
  file: File | null
  onPick(file: File | null): void
  problem: string | null | undefined
}) {
  return (
    <div className="drift-side">
      <div className="drift-side-title">{title}</div>
      <select
        value={kind}
        onChange={(event) => onKind(event.target.value as ReferenceKind)}
        aria-label={`${title} data`}
        data-testid={`drift-${side}-kind`}
      >
        {version && (
          <option value="version" disabled={!version.enabled}>
            the version’s training data
          </option>
        )}
        <option value="dataset">an imported dataset</option>
        <option value="file">a file</option>
      </select>
      {version && kind === 'version' && <span className="muted small">{version.note}</span>}
      {kind === 'dataset' && (
        <select
          value={dataset}
          onChange={(event) => onDataset(event.target.value)}
          aria-label={`${title} dataset`}
          data-testid={`drift-${side}-dataset`}
        >
          <option value="">Choose a dataset…</option>
          {datasetOptions}
        </select>
      )}
      {kind === 'file' && <FilePicker side={side} file={file} onPick={onPick} />}
      <ErrorNote message={problem} />
    </div>
  )
}

type SetForm = (patch: Partial<DriftForm>) => void

interface FieldsProps {
  form: DriftForm
  problems: FormProblems
  set: SetForm
}

/** Model, version, both data sides and the prediction-drift switch. */
function DriftSources({ form, problems, set, busy }: FieldsProps & { busy: boolean }) {
  const { files, models, versions, datasets } = useDrift()
  const { chooseModel, setFile } = useDrift.getState()
  const datasetOptions = datasets.map((dataset) => (
    <option key={dataset.id} value={String(dataset.id)}>
      {displayText(dataset.name, 60)} · {formatCount(dataset.rows)} rows
    </option>
  ))
  const chosenVersion = versions.find((v) => String(v.version) === form.version)
  return (
    <fieldset className="drift-grid" disabled={busy}>
      <label>
        <span>
          Model <span className="muted">(optional)</span>
        </span>
        <ModelSelect
          models={models}
          value={form.model}
          onChange={(name) => void chooseModel(name)}
          noneLabel="— none: compare datasets only —"
          testId="drift-model"
        />
      </label>
      <label>
        Version
        <select
          value={form.version}
          onChange={(event) => set({ version: event.target.value })}
          disabled={!form.model}
          data-testid="drift-version"
        >
          {!form.model && <option value="">—</option>}
          {versions.map((version) => (
            <option key={version.id} value={String(version.version)}>
              {versionLabel(version)}
            </option>
          ))}
        </select>
      </label>

      <DataSide
        side="reference"
        title="Reference"
        kind={form.referenceKind}
        onKind={(referenceKind) => set({ referenceKind })}
        version={{
          enabled: Boolean(form.model),
          note: chosenVersion
            ? `training data of v${chosenVersion.version}`
            : 'choose a model version',
        }}
        dataset={form.referenceDataset}
        onDataset={(referenceDataset) => set({ referenceDataset })}
        datasetOptions={datasetOptions}
        file={files.reference}
        onPick={(file) => setFile('reference', file)}
        problem={problems.referenceKind ?? problems.referenceDataset ?? problems.referenceFile}
      />

      <DataSide
        side="current"
        title="Current"
        kind={form.currentKind}
        onKind={(currentKind) => set({ currentKind: currentKind as CurrentKind })}
        dataset={form.currentDataset}
        onDataset={(currentDataset) => set({ currentDataset })}
        datasetOptions={datasetOptions}
        file={files.current}
        onPick={(file) => setFile('current', file)}
        problem={problems.currentDataset ?? problems.currentFile}
      />

      <label className="check">
        <input
          type="checkbox"
          checked={form.predictions}
          disabled={!form.model || !form.version}
          onChange={(event) => set({ predictions: event.target.checked })}
          data-testid="drift-predictions"
        />
        Prediction drift: run the version on both datasets
      </label>
      <ErrorNote message={problems.predictions} />
    </fieldset>
  )
}

/** Over time: no windows, windows of a timestamp column, or equal chunks. */
function TimeWindowFields({ form, problems, set }: FieldsProps) {
  return (
    <>
      <label>
        Over time
        <select
          value={form.timeMode}
          onChange={(event) => set({ timeMode: event.target.value as TimeMode })}
          data-testid="drift-time-mode"
        >
          <option value="none">no windows</option>
          <option value="window">by timestamp column</option>
          <option value="chunks">in N equal chunks</option>
        </select>
      </label>
      {form.timeMode === 'window' && (
        <>
          <label>
            Timestamp column
            <input
              value={form.timestampColumn}
              onChange={(event) => set({ timestampColumn: event.target.value })}
              placeholder="event_time"
              list="drift-columns"
              data-testid="drift-timestamp"
            />
            <ErrorNote message={problems.timestampColumn} />
          </label>
          <label>
            Window
            <select
              value={form.window}
              onChange={(event) => set({ window: event.target.value as WindowUnit })}
              data-testid="drift-window"
            >
              {WindowUnit.options.map((unit) => (
                <option key={unit} value={unit}>
                  {unit}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {form.timeMode === 'chunks' && (
        <label>
          Chunks
          <input
            inputMode="numeric"
            value={form.chunks}
            onChange={(event) => set({ chunks: event.target.value })}
            data-testid="drift-chunks"
          />
          <ErrorNote message={problems.chunks} />
        </label>
      )}
    </>
  )
}

/** Per-column tests and thresholds, one row each. */
function ColumnOverrides({ form, problems, set }: FieldsProps) {
  return (
    <div className="wide">
      <div className="drift-side-title">Per-column test</div>
      {form.overrides.map((row, index) => (
        <div key={index} className="inline-form override-row" data-testid="drift-override">
          <input
            value={row.column}
            placeholder="column"
            aria-label="Column"
            onChange={(event) =>
              set({
                overrides: form.overrides.map((r, i) =>
                  i === index ? { ...r, column: event.target.value } : r,
                ),
              })
            }
          />
          <select
            value={row.method}
            aria-label="Test"
            onChange={(event) =>
              set({
                overrides: form.overrides.map((r, i) =>
                  i === index ? { ...r, method: event.target.value as DriftTest | '' } : r,
                ),
              })
            }
          >
            <option value="">default test</option>
            {DriftTest.options.map((test) => (
              <option key={test} value={test}>
                {testLabel(test)}
              </option>
            ))}
          </select>
          <input
            value={row.threshold}
            placeholder="threshold"
            aria-label="Threshold"
            inputMode="decimal"
            onChange={(event) =>
              set({
                overrides: form.overrides.map((r, i) =>
                  i === index ? { ...r, threshold: event.target.value } : r,
                ),
              })
            }
          />
          <button
            type="button"
            className="link"
            aria-label="Remove this column's test"
            onClick={() => set({ overrides: form.overrides.filter((_, i) => i !== index) })}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link"
        onClick={() =>
          set({ overrides: [...form.overrides, { column: '', method: '', threshold: '' }] })
        }
        data-testid="drift-add-override"
      >
        + column test
      </button>
      <ErrorNote message={problems.overrides} />
    </div>
  )
}

/** Options: time windows, bins, thresholds, the label, the production log, per-column tests. */
function DriftOptions({
  form,
  problems,
  set,
  busy,
  currentColumns,
}: FieldsProps & { busy: boolean; currentColumns: string[] }) {
  return (
    <details className="drift-options">
      <summary>Options: time windows, bins, thresholds, per-column tests</summary>
      <fieldset className="drift-grid" disabled={busy}>
        {/* The current data's columns, offered by the timestamp and label inputs. */}
        <datalist id="drift-columns">
          {currentColumns.map((column) => (
            <option key={column} value={column} />
          ))}
        </datalist>
        <TimeWindowFields form={form} problems={problems} set={set} />
        <label>
          Bins (PSI, Jensen–Shannon)
          <input
            inputMode="numeric"
            value={form.bins}
            onChange={(event) => set({ bins: event.target.value })}
            data-testid="drift-bins"
          />
          <ErrorNote message={problems.bins} />
        </label>
        <label>
          <span>
            Threshold for every column <span className="muted">(blank: test default)</span>
          </span>
          <input
            inputMode="decimal"
            value={form.threshold}
            onChange={(event) => set({ threshold: event.target.value })}
            placeholder="default"
            data-testid="drift-threshold"
          />
          <ErrorNote message={problems.threshold} />
        </label>
        <label>
          Dataset drift at a drifted share of
          <input
            inputMode="decimal"
            value={form.driftShare}
            onChange={(event) => set({ driftShare: event.target.value })}
            data-testid="drift-share"
          />
          <ErrorNote message={problems.driftShare} />
        </label>
        <label>
          <span>
            Label column (target) <span className="muted">(never a feature)</span>
          </span>
          <input
            value={form.label}
            onChange={(event) => set({ label: event.target.value })}
            placeholder="the model's label column"
            list="drift-columns"
            data-testid="drift-label"
          />
        </label>
        <label>
          <span>
            Degraded at a drop of <span className="muted">(blank: reference chunks ± 3 std)</span>
          </span>
          <input
            inputMode="decimal"
            value={form.performanceDrop}
            onChange={(event) => set({ performanceDrop: event.target.value })}
            placeholder="e.g. 0.05"
            data-testid="drift-performance-drop"
          />
          <ErrorNote message={problems.performanceDrop} />
        </label>
        {LOG_ROLES.map(([field, title, testId]) => (
          <label key={field}>
            <span>
              {title} <span className="muted">(production log)</span>
            </span>
            <input
              value={form[field]}
              onChange={(event) => set({ [field]: event.target.value })}
              list="drift-label-columns"
              data-testid={testId}
            />
          </label>
        ))}
        <ColumnOverrides form={form} problems={problems} set={set} />
      </fieldset>
    </details>
  )
}

export function DriftSetup() {
  const { form, problems, run, datasets, pickersError } = useDrift()
  const { setForm, start, cancel } = useDrift.getState()
  const busy = run.status === 'uploading' || run.status === 'running'
  const set = (patch: Partial<DriftForm>): void => setForm(patch)
  // The current dataset's columns, offered for the timestamp (a file's columns are unknown here).
  const currentColumns =
    form.currentKind === 'dataset'
      ? (datasets.find((dataset) => String(dataset.id) === form.currentDataset)?.columns ?? [])
      : []

  return (
    <form
      className="card drift-setup"
      data-testid="drift-setup"
      onSubmit={(event) => {
        event.preventDefault()
        void start()
      }}
    >
      <ErrorNote message={pickersError} />
      <DriftSources form={form} problems={problems} set={set} busy={busy} />

      <DriftOptions
        form={form}
        problems={problems}
        set={set}
        busy={busy}
        currentColumns={currentColumns}
      />

      <div className="drift-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="drift-start">
          {busy ? 'Running…' : 'Start drift check'}
        </button>
        <RunProgress run={run} onCancel={() => void cancel()} />
      </div>
    </form>
  )
}
