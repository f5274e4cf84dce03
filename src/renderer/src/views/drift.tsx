// Drift view: set up a reference-vs-current comparison, watch it run, read the verdict, the
// columns by severity with their charts, drift over time, prediction drift, monitors and history.
import { useEffect, useMemo } from 'react'
import { ColumnChart } from '../components/drift/ColumnChart'
import { ColumnsTable } from '../components/drift/ColumnsTable'
import { DriftHeatmap } from '../components/drift/DriftHeatmap'
import { DriftSetup } from '../components/drift/DriftSetup'
import { DriftSummary } from '../components/drift/DriftSummary'
import {
  PerformancePanel,
  ProductionLogPanel,
  TargetAndMultivariate,
} from '../components/drift/MonitoringPanels'
import { MonitorsPanel } from '../components/drift/MonitorsPanel'
import { PredictionDrift } from '../components/drift/PredictionDrift'
import { RunHistory } from '../components/drift/RunHistory'
import { sortBySeverity } from '../lib/charts/drift-severity'
import { followDriftAlerts, useDrift } from '../stores/drift'
import { hrefFor, useRoute } from '../stores/route'
import type { ViewDefinition, ViewProps } from './types'

function DriftView({ segments }: ViewProps) {
  const { report, reportRunId, selectedColumn, history, form } = useDrift()
  const { loadPickers, loadHistory, chooseModel, openRun, selectColumn } = useDrift.getState()
  const [kind, value] = segments

  useEffect(() => {
    void loadPickers()
    void loadHistory()
    followDriftAlerts()
  }, [loadPickers, loadHistory])

  useEffect(() => {
    if (kind === 'model' && value && useDrift.getState().form.model !== value) {
      void chooseModel(value).then(() => loadHistory())
    }
    const runId = Number(value)
    if (kind === 'run' && Number.isInteger(runId) && runId > 0) void openRun(runId)
  }, [kind, value, chooseModel, openRun, loadHistory])

  // A run on screen has its own address (#/drift/run/N), so a reload shows the same report.
  useEffect(() => {
    if (reportRunId === null) return
    const [k, v] = useRoute.getState().segments.slice(1)
    if (k !== 'run' || Number(v) !== reportRunId)
      useRoute.getState().navigate(hrefFor('drift', 'run', reportRunId))
  }, [reportRunId])

  const order = useMemo(
    () => (report ? sortBySeverity(report.columns).map((column) => column.name) : []),
    [report],
  )
  const allColumns = useMemo(
    () => (report ? [...report.columns, ...(report.prediction?.columns ?? [])] : []),
    [report],
  )
  // A picked column's detail is brought into view: below a long table it would open unseen.
  const showColumn = (name: string): void => {
    selectColumn(name)
    requestAnimationFrame(() =>
      document
        .querySelector('[data-testid="drift-column-detail"]')
        ?.scrollIntoView({ block: 'nearest' }),
    )
  }
  // The most severe column is shown until the user picks another one.
  const shownName = selectedColumn ?? order[0] ?? null
  const shown = allColumns.find((column) => column.name === shownName) ?? null

  return (
    <section className="drift-view" data-testid="drift-view">
      <header className="page-header">
        <h1>Drift</h1>
        <span className="muted">
          Does current data still look like the data the model learned from?
        </span>
      </header>
      <DriftSetup />
      {report && (
        <div data-testid="drift-report" data-run={reportRunId ?? ''}>
          <DriftSummary report={report} runId={reportRunId} />
          <PerformancePanel report={report} />
          <TargetAndMultivariate report={report} />
          <ProductionLogPanel report={report} />
          <div className="card">
            <header className="drift-card-header">
              <h2>Columns by severity</h2>
              <span className="muted small">Click a column to see its distributions.</span>
            </header>
            <ColumnsTable
              columns={report.columns}
              selected={shownName}
              onSelect={showColumn}
              testId="drift-columns"
            />
          </div>
          {shown && <ColumnChart column={shown} />}
          {report.windows && (
            <DriftHeatmap windows={report.windows} columnOrder={order} onSelect={showColumn} />
          )}
          <PredictionDrift report={report} selected={shownName} onSelect={showColumn} />
        </div>
      )}
      {form.model && <MonitorsPanel key={form.model} model={form.model} />}
      <RunHistory runs={history} openRunId={reportRunId} />
    </section>
  )
}

export const driftView: ViewDefinition = {
  id: 'drift',
  title: 'Drift',
  icon: '∿',
  component: DriftView,
}
