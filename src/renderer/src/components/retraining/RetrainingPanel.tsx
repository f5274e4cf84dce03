// A model's Retraining section: the recipe editor (argument list, placeholders explained, test
// run), the run history with status chips, the selected run's live log with Cancel, and for a
// successful run the challenger's evaluation next to the champion's, the gate verdict and the
// request, each one click from its stored record.
import { useEffect, type ReactNode } from 'react'
import type { RetrainRun } from '../../../../api/retraining'
import { formatTime } from '../../lib/format'
import { hrefFor } from '../../stores/route'
import { useRetraining, type RecipeDraft } from '../../stores/retraining'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'

const PLACEHOLDER_HELP: [string, string][] = [
  ['{data}', 'the training data file (CSV or Parquet), copied into the run’s folder'],
  ['{output}', 'where the program must write the ONNX model'],
  [
    '{workdir}',
    'a fresh folder per run; write slipway.json there for params, metrics, code version',
  ],
  ['{params}', 'a JSON file of the recipe’s parameters'],
]

const num = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(4)

const duration = (run: RetrainRun): string =>
  run.durationMs === null ? '' : `${(run.durationMs / 1000).toFixed(1)} s`

export function RetrainingPanel({ model }: { model: string }) {
  const state = useRetraining()
  const { load, poll } = useRetraining.getState()
  const selected = state.runs.find((r) => r.id === state.selectedId) ?? null
  const running = state.runs.some((r) => r.status === 'running')

  useEffect(() => {
    void load(model)
  }, [model, load])

  // While a run is in progress, follow its log and status.
  useEffect(() => {
    if (!running) return
    const timer = setInterval(() => void poll(), 400)
    return () => clearInterval(timer)
  }, [running, poll])

  return (
    <div className="card retraining" data-testid="retraining-panel">
      <h2>Retraining</h2>
      <RecipeEditor />
      <h3>Runs</h3>
      <ErrorNote message={state.actionError} testId="retrain-action-error" />
      <ErrorNote message={state.runsError} />
      {state.runs.length === 0 ? (
        <p className="muted" data-testid="runs-empty">
          No runs yet.
        </p>
      ) : (
        <table className="data compact" data-testid="runs-table">
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th>Trigger</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Data</th>
              <th>Version</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {state.runs.map((run) => (
              <tr
                key={run.id}
                data-testid="run-row"
                data-run={run.id}
                className={run.id === state.selectedId ? 'selected' : undefined}
                onClick={() => useRetraining.getState().select(run.id)}
              >
                <td>
                  <button type="button" className="link">
                    #{run.id}
                  </button>
                </td>
                <td>
                  <span className={`run-chip ${run.status}`} data-testid="run-status">
                    {run.status}
                  </span>
                </td>
                <td className="small">
                  {run.trigger}
                  {run.triggerDetail && (
                    <div className="muted">
                      <Text value={run.triggerDetail} max={80} />
                    </div>
                  )}
                </td>
                <td className="muted small">{formatTime(run.startedAt)}</td>
                <td className="small">{duration(run)}</td>
                <td className="small">
                  <Text value={run.data?.name ?? ''} max={40} />
                </td>
                <td>
                  {run.version !== null && (
                    <a href={hrefFor('registry', model, run.version)}>v{run.version}</a>
                  )}
                </td>
                <td className="small wrap">
                  <Text value={run.reason ?? ''} max={160} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <RunDetail run={selected} model={model} />}
    </div>
  )
}

/** The kinds of training and evaluation data a recipe names, as its selects offer them. */
const TRAIN_KINDS: [RecipeDraft['trainKind'], string][] = [
  ['none', 'given per run'],
  ['dataset', 'a dataset'],
  ['folder', 'the newest file of a folder'],
  ['monitor', 'a monitor’s data plus its reference'],
]
const EVAL_KINDS: [RecipeDraft['evalKind'], string][] = [
  ['none', 'none'],
  ['dataset', 'a dataset'],
  ['holdout', 'a holdout of the training rows'],
]

/** What the value field of each kind of training and evaluation data asks for. */
const TRAIN_VALUE_LABEL: Record<RecipeDraft['trainKind'], string> = {
  none: '',
  dataset: 'Dataset (name or id)',
  folder: 'Folder path',
  monitor: 'Monitor number',
}
const EVAL_VALUE_LABEL: Record<RecipeDraft['evalKind'], string> = {
  none: '',
  dataset: 'Dataset (name or id)',
  holdout: 'Holdout share (last rows)',
}

function RecipeEditor() {
  const { draft, recipe, dirty, recipeError, saving, runs } = useRetraining()
  const { edit, save } = useRetraining.getState()
  const busy = runs.some((r) => r.status === 'running')
  return (
    <form
      className="recipe-editor"
      data-testid="recipe-editor"
      onSubmit={(event) => {
        event.preventDefault()
        void save()
      }}
    >
      <p className="muted small" data-testid="recipe-version">
        {recipe
          ? `Recipe v${recipe.version}, saved ${formatTime(recipe.updatedAt)} by ${recipe.updatedBy}${recipe.nextRunAt ? ` · next scheduled run ${formatTime(recipe.nextRunAt)}` : ''}`
          : 'No recipe yet: say how this model is trained.'}
        {dirty && ' · unsaved changes'}
      </p>
      <div className="recipe-grid">
        <label className="wide">
          Command — the program, then one argument per line (run without a shell)
          <textarea
            rows={5}
            className="mono"
            value={draft.command}
            onChange={(e) => edit({ command: e.target.value })}
            placeholder={'/usr/bin/python3\ntrain.py\n--data\n{data}\n--out\n{output}'}
            data-testid="recipe-command"
          />
        </label>
        <dl className="placeholders wide" data-testid="recipe-placeholders">
          {PLACEHOLDER_HELP.map(([name, help]) => (
            <div key={name}>
              <dt className="mono">{name}</dt>
              <dd className="muted small">{help}</dd>
            </div>
          ))}
        </dl>
        <DraftInput
          draft={draft}
          edit={edit}
          field="cwd"
          testId="recipe-cwd"
          label={
            <>
              Working directory <span className="muted">(blank: the run’s folder)</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="timeoutSec"
          testId="recipe-timeout"
          label="Timeout (seconds)"
        />
        <DraftSelect
          value={draft.trainKind}
          onChange={(trainKind) => edit({ trainKind })}
          label="Training data"
          testId="recipe-train-kind"
          options={TRAIN_KINDS}
        />
        {draft.trainKind !== 'none' && (
          <DraftInput
            draft={draft}
            edit={edit}
            field="trainValue"
            testId="recipe-train-value"
            label={TRAIN_VALUE_LABEL[draft.trainKind]}
          />
        )}
        <DraftSelect
          value={draft.evalKind}
          onChange={(evalKind) => edit({ evalKind })}
          label="Evaluation data"
          testId="recipe-eval-kind"
          options={EVAL_KINDS}
        />
        {draft.evalKind !== 'none' && (
          <DraftInput
            draft={draft}
            edit={edit}
            field="evalValue"
            testId="recipe-eval-value"
            label={EVAL_VALUE_LABEL[draft.evalKind]}
          />
        )}
        <DraftInput
          draft={draft}
          edit={edit}
          field="label"
          testId="recipe-label"
          label={
            <>
              Label column <span className="muted">(blank: automatic)</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="schedule"
          testId="recipe-schedule"
          label={
            <>
              Schedule <span className="muted">(cron, e.g. 0 3 * * *)</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="params"
          testId="recipe-params"
          rows={3}
          label={
            <>
              Parameters <span className="muted">(KEY=VALUE per line → {'{params}'})</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="env"
          testId="recipe-env"
          rows={3}
          label={
            <>
              Environment <span className="muted">(KEY=VALUE per line)</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="alias"
          testId="recipe-alias"
          label={
            <>
              Alias for the new version <span className="muted">(blank: none)</span>
            </>
          }
        />
        <DraftInput
          draft={draft}
          edit={edit}
          field="request"
          testId="recipe-request"
          placeholder="champion"
          label={
            <>
              Request promotion to <span className="muted">(team homes)</span>
            </>
          }
        />
        <div className="wide checks">
          <DraftCheck
            draft={draft}
            edit={edit}
            field="gates"
            testId="recipe-gates"
            label="check the gate policy"
          />
          <DraftCheck
            draft={draft}
            edit={edit}
            field="onDrift"
            testId="recipe-on-drift"
            label="retrain when a monitor crosses into drift"
          />
          <DraftCheck
            draft={draft}
            edit={edit}
            field="onNewData"
            testId="recipe-on-new-data"
            label="retrain when a new file lands in the training folder"
          />
        </div>
      </div>
      <RecipeActions
        busy={busy}
        saving={saving}
        canRun={Boolean(recipe) || dirty}
        error={recipeError}
      />
    </form>
  )
}

/** Save, test-run and retrain-now buttons of the recipe editor, with the save's error. */
function RecipeActions({
  busy,
  saving,
  canRun,
  error,
}: {
  busy: boolean
  saving: boolean
  /** There is a saved recipe or a draft to save first. */
  canRun: boolean
  error: string | null
}) {
  const { start } = useRetraining.getState()
  return (
    <div className="drift-actions">
      <button type="submit" className="primary" disabled={saving} data-testid="recipe-save">
        Save recipe
      </button>
      <button
        type="button"
        disabled={busy || !canRun}
        onClick={() => void start('test')}
        data-testid="recipe-test-run"
        title="Saves the recipe and runs it now; a successful run registers a version"
      >
        Test run
      </button>
      <button
        type="button"
        disabled={busy || !canRun}
        onClick={() => void start('manual')}
        data-testid="recipe-run-now"
      >
        Retrain now
      </button>
      <ErrorNote message={error} testId="recipe-error" />
    </div>
  )
}

function RunDetail({ run, model }: { run: RetrainRun; model: string }) {
  const log = useRetraining((s) => s.log)
  const { cancel } = useRetraining.getState()
  const champion = run.championEvaluation
  return (
    <div className="run-detail" data-testid="run-detail" data-status={run.status}>
      <header className="drift-card-header">
        <h3>
          Run #{run.id}{' '}
          <span className={`run-chip ${run.status}`} data-testid="run-detail-status">
            {run.status}
          </span>
        </h3>
        {run.status === 'running' && (
          <>
            <progress
              value={run.progress.total ? run.progress.done / run.progress.total : undefined}
              max={1}
              data-testid="run-progress"
            />
            <span className="muted small">
              <Text value={run.progress.message} max={80} />
            </span>
            <button type="button" onClick={() => void cancel(run.id)} data-testid="run-cancel">
              Cancel
            </button>
          </>
        )}
      </header>
      {run.reason && (
        <p className={run.status === 'skipped' ? 'muted' : 'error-text'} data-testid="run-reason">
          <Text value={run.reason} max={1000} />
        </p>
      )}
      {run.status === 'succeeded' && run.version !== null && (
        <div className="grid two">
          <div data-testid="run-result">
            <p>
              Challenger{' '}
              <a href={hrefFor('registry', model, run.version)} data-testid="run-version-link">
                v{run.version}
              </a>
              {run.lineage && (
                <span className="muted small">
                  {' '}
                  · parent {run.lineage.parent !== null ? `v${run.lineage.parent}` : '—'} · code{' '}
                  <Text value={run.lineage.codeVersion ?? '—'} max={20} /> · data{' '}
                  <Text value={run.lineage.trainingData.name} max={40} />
                </span>
              )}
            </p>
            {run.evaluation ? (
              <table className="data compact" data-testid="run-metrics">
                <thead>
                  <tr>
                    <th>Metric</th>
                    <th className="num">
                      <a href={hrefFor('evaluate', run.evaluation.id)}>Challenger v{run.version}</a>
                    </th>
                    <th className="num">
                      {champion ? (
                        <a href={hrefFor('evaluate', champion.id)}>Champion v{champion.version}</a>
                      ) : (
                        'Champion'
                      )}
                    </th>
                    <th className="num">Δ</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(run.evaluation.metrics).map(([metric, value]) => {
                    const base = champion?.metrics[metric]
                    const delta =
                      value !== null && base !== null && base !== undefined ? value - base : null
                    return (
                      <tr key={metric} data-metric={metric}>
                        <td>{metric}</td>
                        <td className="num">{num(value)}</td>
                        <td className="num">{num(base)}</td>
                        <td className="num">{delta === null ? '—' : num(delta)}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            ) : (
              <p className="muted">Not evaluated.</p>
            )}
          </div>
          <div>
            <p data-testid="run-gate">
              Gates:{' '}
              {run.gate ? (
                <>
                  <span className={`run-chip ${run.gate.passed ? 'succeeded' : 'failed'}`}>
                    {run.gate.passed ? 'passed' : 'failed'}
                  </span>{' '}
                  <a href={hrefFor('registry', model, run.version)}>report #{run.gate.id}</a>
                </>
              ) : (
                <span className="muted">not checked</span>
              )}
            </p>
            {run.gate && (
              <ul className="small">
                {run.gate.rules.map((r) => (
                  <li key={r.rule}>
                    {r.passed ? '✓' : '✗'} <Text value={r.why} max={200} />
                  </li>
                ))}
              </ul>
            )}
            <p data-testid="run-comparison">
              Shadow:{' '}
              {run.comparison ? (
                <a href={hrefFor('compare', run.comparison.id)}>
                  agreement {num(run.comparison.agreementRate)} with v{run.comparison.champion}
                </a>
              ) : (
                <span className="muted">none</span>
              )}
            </p>
            <p data-testid="run-request">
              Request:{' '}
              {run.request ? (
                <a href={hrefFor('governance', run.request.id)} data-testid="run-request-link">
                  to {run.request.alias}: {run.request.status}
                  {run.request.approvalsNeeded > 0 &&
                    ` (${run.request.approvals.length} of ${run.request.approvalsNeeded} approvals)`}
                </a>
              ) : run.requestAlias ? (
                <span className="muted">to {run.requestAlias}: not opened</span>
              ) : (
                <span className="muted">none asked</span>
              )}
            </p>
            {run.notes.map((note) => (
              <p key={note} className="muted small">
                <Text value={note} max={300} />
              </p>
            ))}
          </div>
        </div>
      )}
      <h4>
        Log {run.log.truncated && <span className="muted small">(kept: first and last part)</span>}
      </h4>
      <pre className="run-log" data-testid="run-log">
        {log}
      </pre>
    </div>
  )
}

type Edit = (change: Partial<RecipeDraft>) => void
type KeysOf<V> = {
  [K in keyof RecipeDraft]: RecipeDraft[K] extends V ? K : never
}[keyof RecipeDraft]

/** One text field of the recipe draft: an input, or a monospaced textarea when `rows` is given. */
function DraftInput({
  draft,
  edit,
  field,
  label,
  testId,
  rows,
  placeholder,
}: {
  draft: RecipeDraft
  edit: Edit
  field: KeysOf<string>
  label: ReactNode
  testId: string
  rows?: number
  placeholder?: string
}) {
  const props = {
    value: draft[field],
    placeholder,
    'data-testid': testId,
  }
  return (
    <label>
      {label}
      {rows ? (
        <textarea
          rows={rows}
          className="mono"
          {...props}
          onChange={(e) => edit({ [field]: e.target.value })}
        />
      ) : (
        <input {...props} onChange={(e) => edit({ [field]: e.target.value })} />
      )}
    </label>
  )
}

/** One switch of the recipe draft. */
function DraftCheck({
  draft,
  edit,
  field,
  label,
  testId,
}: {
  draft: RecipeDraft
  edit: Edit
  field: KeysOf<boolean>
  label: string
  testId: string
}) {
  return (
    <label>
      <input
        type="checkbox"
        checked={draft[field]}
        onChange={(e) => edit({ [field]: e.target.checked })}
        data-testid={testId}
      />{' '}
      {label}
    </label>
  )
}

/** A choice among fixed options of the recipe draft. */
function DraftSelect<V extends string>({
  value,
  onChange,
  label,
  testId,
  options,
}: {
  value: V
  onChange: (value: V) => void
  label: string
  testId: string
  options: [V, string][]
}) {
  return (
    <label>
      {label}
      <select
        value={value}
        onChange={(e) => {
          const chosen = options.find(([option]) => option === e.target.value)
          if (chosen) onChange(chosen[0])
        }}
        data-testid={testId}
      >
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}
