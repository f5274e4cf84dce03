// The comparison form: reference (a version's training data, a dataset or a file), current data,
// an optional model version for prediction drift, time windows or chunks, bins and thresholds.
import { useRef } from 'react'
import { DriftTest, WindowUnit } from '../../../../api/drift'
import {
  useDrift,
  type CurrentKind,
  type DriftForm,
  type ReferenceKind,
  type TimeMode,
} from '../../stores/drift'
import { formatBytes, formatCount } from '../../lib/format'
import { testLabel } from '../../lib/drift-charts/format'
import { displayText } from '../../../../api/display'
import { ErrorNote } from '../ErrorNote'
import { RunProgress } from './RunProgress'

const DATA_ACCEPT = '.csv,.parquet,.tsv,.txt'

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

export function DriftSetup() {
  const { form, files, problems, run, models, versions, datasets, pickersError } = useDrift()
  const { setForm, chooseModel, setFile, start, cancel } = useDrift.getState()
  const busy = run.status === 'uploading' || run.status === 'running'
  const set = (patch: Partial<DriftForm>): void => setForm(patch)
  const datasetOptions = datasets.map((dataset) => (
    <option key={dataset.id} value={String(dataset.id)}>
      {displayText(dataset.name, 60)} · {formatCount(dataset.rows)} rows
    </option>
  ))
  const chosenVersion = versions.find((v) => String(v.version) === form.version)

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
      <fieldset className="drift-grid" disabled={busy}>
        <label>
          <span>
            Model <span className="muted">(optional)</span>
          </span>
          <select
            value={form.model}
            onChange={(event) => void chooseModel(event.target.value)}
            data-testid="drift-model"
          >
            <option value="">— none: compare datasets only —</option>
            {models.map((model) => (
              <option key={model.id} value={model.name}>
                {displayText(model.name, 60)}
              </option>
            ))}
          </select>
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
                v{version.version}
                {version.aliases.length
                  ? ` (${version.aliases.map((a) => displayText(a, 30)).join(', ')})`
                  : ''}
              </option>
            ))}
          </select>
        </label>

        <div className="drift-side">
          <div className="drift-side-title">Reference</div>
          <select
            value={form.referenceKind}
            onChange={(event) => set({ referenceKind: event.target.value as ReferenceKind })}
            aria-label="Reference data"
            data-testid="drift-reference-kind"
          >
            <option value="version" disabled={!form.model}>
              the version’s training data
            </option>
            <option value="dataset">an imported dataset</option>
            <option value="file">a file</option>
          </select>
          {form.referenceKind === 'version' && (
            <span className="muted small">
              {chosenVersion
                ? `training data of v${chosenVersion.version}`
                : 'choose a model version'}
            </span>
          )}
          {form.referenceKind === 'dataset' && (
            <select
              value={form.referenceDataset}
              onChange={(event) => set({ referenceDataset: event.target.value })}
              aria-label="Reference dataset"
              data-testid="drift-reference-dataset"
            >
              <option value="">Choose a dataset…</option>
              {datasetOptions}
            </select>
          )}
          {form.referenceKind === 'file' && (
            <FilePicker
              side="reference"
              file={files.reference}
              onPick={(file) => setFile('reference', file)}
            />
          )}
          <ErrorNote
            message={problems.referenceKind ?? problems.referenceDataset ?? problems.referenceFile}
          />
        </div>

        <div className="drift-side">
          <div className="drift-side-title">Current</div>
          <select
            value={form.currentKind}
            onChange={(event) => set({ currentKind: event.target.value as CurrentKind })}
            aria-label="Current data"
            data-testid="drift-current-kind"
          >
            <option value="dataset">an imported dataset</option>
            <option value="file">a file</option>
          </select>
          {form.currentKind === 'dataset' && (
            <select
              value={form.currentDataset}
              onChange={(event) => set({ currentDataset: event.target.value })}
              aria-label="Current dataset"
              data-testid="drift-current-dataset"
            >
              <option value="">Choose a dataset…</option>
              {datasetOptions}
            </select>
          )}
          {form.currentKind === 'file' && (
            <FilePicker
              side="current"
              file={files.current}
              onPick={(file) => setFile('current', file)}
            />
          )}
          <ErrorNote message={problems.currentDataset ?? problems.currentFile} />
        </div>

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

      <details className="drift-options">
        <summary>Options: time windows, bins, thresholds, per-column tests</summary>
        <fieldset className="drift-grid" disabled={busy}>
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
        </fieldset>
      </details>

      <div className="drift-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="drift-start">
          {busy ? 'Running…' : 'Start drift check'}
        </button>
        <RunProgress run={run} onCancel={() => void cancel()} />
      </div>
    </form>
  )
}
