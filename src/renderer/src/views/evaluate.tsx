// Evaluate view: run a model version on a dataset and read the result; `#/evaluate/ID` opens a
// stored evaluation.
import { useEffect } from 'react'
import { EvaluateForm } from '../components/evaluation/EvaluateForm'
import { EvaluationHistory } from '../components/evaluation/EvaluationHistory'
import { EvaluationResultView } from '../components/evaluation/EvaluationResult'
import { ErrorNote } from '../components/ErrorNote'
import { useEvaluation } from '../stores/evaluation'
import type { ViewDefinition, ViewProps } from './types'

function EvaluateView({ segments }: ViewProps) {
  const { evaluation, evaluationError, history, openEvaluation } = useEvaluation()
  const requested = Number(segments[0])
  const id = segments[0] && Number.isInteger(requested) && requested > 0 ? requested : null

  useEffect(() => {
    if (id !== null) void openEvaluation(id)
  }, [id, openEvaluation])

  return (
    <section>
      <header className="page-header">
        <h1>Evaluate</h1>
      </header>
      <EvaluateForm />
      <ErrorNote message={evaluationError} testId="evaluation-error" />
      {evaluation && <EvaluationResultView evaluation={evaluation} />}
      <EvaluationHistory history={history} openId={evaluation?.id ?? null} />
    </section>
  )
}

export const evaluateView: ViewDefinition = {
  id: 'evaluate',
  title: 'Evaluate',
  icon: '✓',
  component: EvaluateView,
}
