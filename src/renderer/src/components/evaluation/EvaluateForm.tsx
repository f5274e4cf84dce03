// The Evaluate form: model, version or alias, dataset (or import one), label and slice columns,
// an optional cost matrix; then Start, progress with Cancel, and errors where the user acted.
import { useEffect, type FormEvent } from 'react'
import { useDatasets } from '../../stores/datasets'
import { useEvaluation } from '../../stores/evaluation'
import { displayText } from '../../../../api/display'
import { ErrorNote } from '../ErrorNote'
import { ImportButton, ImportList } from '../datasets/ImportPanel'
import { DatasetSelect, LabelAndSliceFields, useDatasetDrop } from '../shared/DataPickers'
import { ModelSelect, VersionOptions } from '../shared/ModelPickers'
import { MappingEditor } from './MappingEditor'
import { RunProgress } from './RunProgress'

export function EvaluateForm() {
  const state = useEvaluation()
  const { models, model, form, formError, status, job, runError, mappingOpen } = state
  const { datasets, loadList } = useDatasets()
  const loadModels = state.loadModels

  useEffect(() => {
    void loadModels()
    void loadList()
  }, [loadModels, loadList])

  // A data file dropped while this form is shown becomes its dataset.
  useDatasetDrop('evaluate', (datasetId) =>
    useEvaluation.getState().setForm({ datasetId, label: '', slice: '' }),
  )

  const dataset = datasets.find((candidate) => candidate.id === form.datasetId) ?? null
  const running = status === 'starting' || status === 'running'
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault()
    void state.start()
  }

  return (
    <form className="card run-form" onSubmit={onSubmit} data-testid="evaluate-form">
      <fieldset className="form-row" disabled={running}>
        <label>
          Model
          <ModelSelect
            models={models}
            value={form.model}
            onChange={(name) => void state.selectModel(name)}
            emptyLabel="No models registered"
            testId="evaluate-model"
          />
        </label>
        <label>
          Version
          <select
            value={form.ref}
            onChange={(event) => state.setForm({ ref: event.target.value })}
            data-testid="evaluate-version"
          >
            <VersionOptions model={model} />
          </select>
        </label>
        <label className="grow">
          Dataset
          <span className="with-button">
            <DatasetSelect
              value={form.datasetId}
              onChange={(datasetId) => state.setForm({ datasetId, label: '', slice: '' })}
              testId="evaluate-dataset"
            />
            <ImportButton
              label="Import…"
              testId="evaluate-import"
              origin="evaluate"
              onImported={(datasetId) => state.setForm({ datasetId, label: '', slice: '' })}
            />
          </span>
        </label>
      </fieldset>
      <ImportList origin="evaluate" />
      <fieldset className="form-row" disabled={running}>
        <LabelAndSliceFields
          label={form.label}
          slice={form.slice}
          columns={dataset?.columns}
          onChange={state.setForm}
          prefix="evaluate"
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.costEnabled}
            onChange={(event) => state.setForm({ costEnabled: event.target.checked })}
            data-testid="evaluate-cost-toggle"
          />
          Business value (cost matrix)
        </label>
        <span className="form-actions">
          <button
            type="button"
            className="link"
            onClick={() => void state.openMappingEditor()}
            disabled={!form.model}
          >
            Column mapping…
          </button>
          <button
            type="submit"
            className="primary"
            disabled={running || !form.model}
            data-testid="evaluate-start"
          >
            {running ? 'Evaluating…' : 'Evaluate'}
          </button>
        </span>
      </fieldset>
      {form.costEnabled && (
        <fieldset className="form-row cost" disabled={running} data-testid="evaluate-cost">
          <span className="muted small">
            Value of one row of each outcome (a cost is negative):
          </span>
          {(['tp', 'fp', 'tn', 'fn'] as const).map((key) => (
            <label key={key} className="narrow">
              {key.toUpperCase()}
              <input
                inputMode="decimal"
                value={form.cost[key]}
                placeholder="0"
                onChange={(event) => state.setCost({ [key]: event.target.value })}
                data-testid={`evaluate-cost-${key}`}
              />
            </label>
          ))}
        </fieldset>
      )}
      <ErrorNote message={formError} testId="evaluate-form-error" />
      {running && (
        <RunProgress job={job} onCancel={() => void state.cancel()} testId="evaluate-progress" />
      )}
      {status === 'cancelled' && (
        <p className="note" data-testid="evaluate-cancelled" role="status">
          Evaluation cancelled; nothing was stored.
        </p>
      )}
      {status === 'failed' && runError && (
        <div
          className="error-note"
          role="alert"
          data-testid="evaluate-error"
          data-code={runError.code}
        >
          {displayText(runError.message, 600)}
          {runError.code === 'MAPPING_INVALID' && !mappingOpen && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => void state.openMappingEditor()}>
                Map the columns
              </button>
            </>
          )}
        </div>
      )}
      {mappingOpen && <MappingEditor columns={dataset?.columns ?? []} />}
    </form>
  )
}
