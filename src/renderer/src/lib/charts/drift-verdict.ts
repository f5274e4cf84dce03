// The sentences of the summary: the dataset-level verdict, a column's verdict, missing values.
import { formatShare } from './drift-format'

export interface ReportSummaryLike {
  datasetDrift: boolean
  driftShare: number
  /** Share of drifted columns at which the dataset counts as drifted (0.5 by default). */
  driftShareThreshold?: number
  columns: ReadonlyArray<{ drifted: boolean }>
  /** The engine's counts (columns it could not test are left out); counted from columns if absent. */
  driftedColumns?: number
  testedColumns?: number
}

export interface DatasetVerdict {
  drifted: boolean
  headline: string
  detail: string
}

export function datasetVerdict(report: ReportSummaryLike): DatasetVerdict {
  const total = report.testedColumns ?? report.columns.length
  const drifted = report.driftedColumns ?? report.columns.filter((column) => column.drifted).length
  const threshold = report.driftShareThreshold
  const shareText = `${drifted} of ${total} ${total === 1 ? 'column' : 'columns'} drifted (${formatShare(report.driftShare)})`
  const rule =
    threshold === undefined
      ? ''
      : report.datasetDrift
        ? `, at or above the ${formatShare(threshold)} threshold`
        : `, below the ${formatShare(threshold)} threshold`
  return {
    drifted: report.datasetDrift,
    headline: report.datasetDrift ? 'Dataset drift detected' : 'No dataset drift',
    detail: `${shareText}${rule}`,
  }
}

export function columnVerdictText(column: { drifted: boolean; statistic: number | null }): string {
  if (column.statistic === null) return 'not measured'
  return column.drifted ? 'drifted' : 'no drift'
}

export interface MissingShareLike {
  name: string
  reference: number
  current: number
}

export interface MissingSignal extends MissingShareLike {
  /** current − reference, in share points. */
  change: number
  /** The change is large enough to mention (≥ MISSING_CHANGE_NOTED). */
  noted: boolean
}

/** A change in the share of missing values of 5 points or more is called out. */
export const MISSING_CHANGE_NOTED = 0.05

/** Columns with missing values in either dataset, largest change first. */
export function missingSignals(columns: readonly MissingShareLike[]): MissingSignal[] {
  return columns
    .filter((column) => column.reference > 0 || column.current > 0)
    .map((column) => {
      const change = column.current - column.reference
      return { ...column, change, noted: Math.abs(change) >= MISSING_CHANGE_NOTED - 1e-12 }
    })
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || (a.name < b.name ? -1 : 1))
}
