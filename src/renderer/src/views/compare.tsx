// Compare view: champion against challenger on the same rows (shadow comparison); `#/compare/ID`
// opens a stored comparison.
import { useEffect } from 'react'
import { CompareForm } from '../components/compare/CompareForm'
import { CompareHistory } from '../components/compare/CompareHistory'
import { ShadowResultView } from '../components/compare/ShadowResultView'
import { ErrorNote } from '../components/ErrorNote'
import { useShadow } from '../stores/shadow'
import type { ViewDefinition, ViewProps } from './types'

function CompareView({ segments }: ViewProps) {
  const { comparison, comparisonError, history, openComparison } = useShadow()
  const requested = Number(segments[0])
  const id = segments[0] && Number.isInteger(requested) && requested > 0 ? requested : null

  useEffect(() => {
    if (id !== null) void openComparison(id)
  }, [id, openComparison])

  return (
    <section>
      <header className="page-header">
        <h1>Compare</h1>
        <span className="muted">Champion and challenger on the same rows</span>
      </header>
      <CompareForm />
      <ErrorNote message={comparisonError} testId="comparison-error" />
      {comparison && <ShadowResultView comparison={comparison} />}
      <CompareHistory history={history} openId={comparison?.id ?? null} />
    </section>
  )
}

export const compareView: ViewDefinition = {
  id: 'compare',
  title: 'Compare',
  icon: '⇄',
  component: CompareView,
}
