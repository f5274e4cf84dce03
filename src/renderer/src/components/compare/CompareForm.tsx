// The Compare form: champion and challenger (model and version each), dataset, label and slice;
// Start, progress with Cancel, and errors where the user acted.
import { useEffect, type FormEvent } from 'react'
import { displayText } from '../../../../api/display'
import { useDatasets } from '../../stores/datasets'
import { useShadow, type Side } from '../../stores/shadow'
import { ErrorNote } from '../ErrorNote'
import { ImportButton, ImportList } from '../datasets/ImportPanel'
import { RunProgress } from '../evaluation/RunProgress'
import { DatasetSelect, LabelAndSliceFields, useDatasetDrop } from '../shared/DataPickers'
import { ModelSelect, VersionOptions } from '../shared/ModelPickers'

function SidePicker({ side, title }: { side: 'champion' | 'challenger'; title: string }) {
  const { models, details, form, selectModel, setSide } = useShadow()
  const value: Side = form[side]
  return (
    <div className={`side side-${side}`} data-testid={`compare-${side}`}>
      <div className="side-title">{title}</div>
      <div className="form-row">
        <label>
          Model
          <ModelSelect
            models={models}
            value={value.model}
            onChange={(name) => void selectModel(side, name)}
            testId={`compare-${side}-model`}
          />
        </label>
        <label>
          Version
          <select
            value={value.ref}
            onChange={(event) => setSide(side, { ref: event.target.value })}
            data-testid={`compare-${side}-version`}
          >
            <VersionOptions model={details[value.model] ?? null} />
          </select>
        </label>
      </div>
    </div>
  )
}

export function CompareForm() {
  const { form, formError, status, job, runError, loadModels, setForm, start, cancel } = useShadow()
  const { models, modelsLoaded } = useShadow()
  const { datasets, loadList } = useDatasets()

  useEffect(() => {
    void loadModels()
    void loadList()
  }, [loadModels, loadList])

  // A data file dropped while this form is shown becomes its dataset.
  useDatasetDrop('compare', (datasetId) =>
    useShadow.getState().setForm({ datasetId, label: '', slice: '' }),
  )

  const dataset = datasets.find((candidate) => candidate.id === form.datasetId) ?? null
  const running = status === 'starting' || status === 'running'
  // A comparison needs two versions: say so, and what to do, instead of a form that cannot work.
  const versionCount = models.reduce((sum, model) => sum + model.versionCount, 0)
  const tooFew =
    !modelsLoaded || versionCount >= 2
      ? null
      : versionCount === 1
        ? 'Only one version is registered: register another version (a challenger) to compare it with.'
        : 'No model is registered yet: register two versions to compare them.'
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    void start()
  }

  return (
    <form className="card run-form" onSubmit={onSubmit} data-testid="compare-form">
      <fieldset className="sides" disabled={running}>
        <SidePicker side="champion" title="Champion" />
        <span className="versus" aria-hidden="true">
          vs
        </span>
        <SidePicker side="challenger" title="Challenger" />
      </fieldset>
      <fieldset className="form-row" disabled={running}>
        <label className="grow">
          Dataset
          <span className="with-button">
            <DatasetSelect
              value={form.datasetId}
              onChange={(datasetId) => setForm({ datasetId, label: '', slice: '' })}
              testId="compare-dataset"
            />
            <ImportButton
              label="Import…"
              testId="compare-import"
              origin="compare"
              onImported={(datasetId) => setForm({ datasetId, label: '', slice: '' })}
            />
          </span>
        </label>
        <LabelAndSliceFields
          label={form.label}
          slice={form.slice}
          columns={dataset?.columns}
          onChange={setForm}
          prefix="compare"
        />
        <span className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={running || tooFew !== null}
            data-testid="compare-start"
          >
            {running ? 'Comparing…' : 'Compare'}
          </button>
        </span>
        {tooFew && (
          <p className="muted small" data-testid="compare-needs-two">
            {tooFew}
          </p>
        )}
      </fieldset>
      <ImportList origin="compare" />
      <ErrorNote message={formError} testId="compare-form-error" />
      {running && (
        <RunProgress job={job} onCancel={() => void cancel()} testId="compare-progress" />
      )}
      {status === 'cancelled' && (
        <p className="note" data-testid="compare-cancelled" role="status">
          Comparison cancelled; nothing was stored.
        </p>
      )}
      {status === 'failed' && runError && (
        <p
          className="error-note"
          role="alert"
          data-testid="compare-error"
          data-code={runError.code}
        >
          {displayText(runError.message, 600)}
        </p>
      )}
    </form>
  )
}
