// Handler of the report export call: the stored record, rendered in the format asked for.
import type { ReportFile, ReportFormat, ReportKind, reportCalls } from '../../api/report'
import type { CoreContext, HandlersFor } from '../context'
import { getRun } from '../drift/service'
import { getGateReport } from '../evaluation/gates-service'
import { getEvaluation } from '../evaluation/service'
import { getShadow } from '../shadow/service'
import { renderCsv, renderHtml, type ReportDocument } from './document'
import { driftDocument, evaluationDocument, gateDocument, shadowDocument } from './exporters'

const MIME: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
}

const STEMS: Record<ReportKind, string> = {
  drift: 'drift-run',
  evaluation: 'evaluation',
  shadow: 'shadow-comparison',
  gate: 'gate-report',
}

/** The record and its document; NOT_FOUND (from the getters) when there is no such id. */
function load(
  core: CoreContext,
  kind: ReportKind,
  id: number,
): { record: unknown; doc: ReportDocument } {
  switch (kind) {
    case 'drift': {
      const run = getRun(core, id)
      return { record: run, doc: driftDocument(run) }
    }
    case 'evaluation': {
      const e = getEvaluation(core, id)
      return { record: e, doc: evaluationDocument(e) }
    }
    case 'shadow': {
      const s = getShadow(core, id)
      return { record: s, doc: shadowDocument(s) }
    }
    case 'gate': {
      const g = getGateReport(core, id)
      return { record: g, doc: gateDocument(g) }
    }
  }
}

export function exportReport(
  core: CoreContext,
  kind: ReportKind,
  id: number,
  format: ReportFormat,
): ReportFile {
  const { record, doc } = load(core, kind, id)
  const content =
    format === 'html'
      ? renderHtml(doc)
      : format === 'csv'
        ? renderCsv(doc)
        : `${JSON.stringify(record, null, 2)}\n`
  return { fileName: `${STEMS[kind]}-${id}.${format}`, mimeType: MIME[format], content }
}

export function createReportHandlers(core: CoreContext): HandlersFor<typeof reportCalls> {
  return {
    'report:export': async ({ kind, id, format }) => exportReport(core, kind, id, format),
  }
}
