// On a version's page: its latest evaluation, its latest gate report rule by rule, the Evaluate and
// Check gates actions; the model's promotion policy is edited on the model page.
import { useEffect } from 'react'
import { formatMetric, metricInfo } from '../../lib/charts/metrics'
import { formatCount, formatTime } from '../../lib/format'
import { useDatasets } from '../../stores/datasets'
import { useEvaluation } from '../../stores/evaluation'
import { useGates } from '../../stores/gates'
import { hrefFor, useRoute } from '../../stores/route'
import { DatasetSelect } from '../shared/DataPickers'
import { RunProgress } from '../evaluation/RunProgress'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'
import { GateReportView } from './GateReportView'

export function VersionEvaluationPanel({ model, version }: { model: string; version: number }) {
  const gates = useGates()
  const loadVersion = gates.loadVersion
  const loadList = useDatasets((state) => state.loadList)
  const loadPolicy = gates.loadPolicy
  const navigate = useRoute((state) => state.navigate)
  const prepare = useEvaluation((state) => state.prepare)

  useEffect(() => {
    void loadVersion(model, version)
    void loadList()
    void loadPolicy(model)
  }, [model, version, loadVersion, loadList, loadPolicy])
  // One rule everywhere (window, CLI, API): a model without a policy cannot be checked.
  const policyKnown = gates.policyModel === model
  const noPolicy = policyKnown && gates.policy === null

  const latest = gates.latestEvaluation
  const report = gates.reports[0] ?? null
  const running = gates.checkStatus === 'starting' || gates.checkStatus === 'running'
  const evaluate = (): void => {
    void prepare(model, String(version))
    navigate(hrefFor('evaluate'))
  }

  return (
    <div data-testid="version-evaluation">
      <div className="card">
        <h2>Evaluation and gates</h2>
        <ErrorNote message={gates.loadError} />
        {latest ? (
          <div data-testid="latest-evaluation">
            <p className="muted small">
              Latest evaluation{' '}
              <a href={hrefFor('evaluate', latest.id)} data-testid="latest-evaluation-link">
                #{latest.id}
              </a>{' '}
              on <Text value={latest.dataset.name} max={60} />, {formatCount(latest.rows)} rows,{' '}
              {formatTime(latest.createdAt)}
            </p>
            <div className="headline">
              {Object.entries(latest.headline)
                // a multiclass result has no binary F1; its macro F1 stands beside it
                .filter(
                  ([key, value]) =>
                    !(key === 'f1' && value === null && 'f1Macro' in latest.headline),
                )
                .map(([key, value]) => (
                  <span key={key} className="headline-item">
                    <span className="muted">{metricInfo(key).label}</span>{' '}
                    <strong>{formatMetric(key, value)}</strong>
                  </span>
                ))}
            </div>
          </div>
        ) : (
          <p className="muted">Not evaluated yet.</p>
        )}
        <div className="inline-form gate-actions">
          <button type="button" onClick={evaluate} data-testid="version-evaluate">
            Evaluate…
          </button>
          <DatasetSelect
            value={gates.checkDatasetId}
            onChange={gates.setCheckDataset}
            testId="gates-dataset"
          />
          <button
            type="button"
            className="primary"
            disabled={running || noPolicy}
            onClick={() => void gates.check(model, version)}
            data-testid="gates-check"
          >
            {running ? 'Checking…' : 'Check gates'}
          </button>
        </div>
        <p className="muted small" data-testid="version-policy-note">
          {noPolicy ? (
            <>
              The model has no promotion policy, so its gates cannot be checked yet.{' '}
              <a href={hrefFor('registry', model)}>Set the policy on the model page</a>.
            </>
          ) : policyKnown && gates.policy ? (
            <>
              Gates are the model&rsquo;s promotion policy ({gates.policy.rules.length}{' '}
              {gates.policy.rules.length === 1 ? 'rule' : 'rules'}
              {gates.policy.latencyP95MaxMs != null ? ' and a latency ceiling' : ''});{' '}
              <a href={hrefFor('registry', model)}>edit it on the model page</a>.
            </>
          ) : null}
        </p>
        {running && (
          <RunProgress
            job={gates.checkJob}
            onCancel={() => void gates.cancelCheck()}
            testId="gates-progress"
          />
        )}
        {gates.checkStatus === 'cancelled' && (
          <p className="note">Gate check cancelled; nothing was stored.</p>
        )}
        {gates.checkStatus === 'failed' && gates.checkError && (
          <p className="error-note" role="alert" data-testid="gates-error">
            <Text value={gates.checkError.message} max={600} />
          </p>
        )}
        {report ? <GateReportView report={report} /> : <p className="muted">No gate report yet.</p>}
      </div>
    </div>
  )
}
