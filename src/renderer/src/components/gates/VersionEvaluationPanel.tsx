// On a version's page: its latest evaluation, its latest gate report rule by rule, the Evaluate and
// Check gates actions, and the model's promotion policy.
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
import { PolicyEditor } from './PolicyEditor'

export function VersionEvaluationPanel({ model, version }: { model: string; version: number }) {
  const gates = useGates()
  const loadVersion = gates.loadVersion
  const loadList = useDatasets((state) => state.loadList)
  const navigate = useRoute((state) => state.navigate)
  const prepare = useEvaluation((state) => state.prepare)

  useEffect(() => {
    void loadVersion(model, version)
    void loadList()
  }, [model, version, loadVersion, loadList])

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
            disabled={running}
            onClick={() => void gates.check(model, version)}
            data-testid="gates-check"
          >
            {running ? 'Checking…' : 'Check gates'}
          </button>
        </div>
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
      <div className="card">
        <h2>Promotion policy</h2>
        <PolicyEditor model={model} />
      </div>
    </div>
  )
}
