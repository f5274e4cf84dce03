// Download buttons for a stored result: a self-contained HTML report, the JSON record, the tables
// as CSV.
import type { ReportFormat, ReportKind } from '../../../api/report'
import { reportKey, useReport } from '../stores/report'
import { ErrorNote } from './ErrorNote'

const FORMATS: [ReportFormat, string][] = [
  ['html', 'HTML report'],
  ['json', 'JSON'],
  ['csv', 'CSV'],
]

export function ReportDownloads({ kind, id }: { kind: ReportKind; id: number }) {
  const key = reportKey(kind, id)
  const busy = useReport((state) => state.busy[key] ?? false)
  const error = useReport((state) => state.errors[key] ?? '')
  const download = useReport((state) => state.download)
  return (
    <span className="report-downloads" data-testid="report-downloads" data-kind={kind}>
      <span className="muted small">Download:</span>
      {FORMATS.map(([format, title]) => (
        <button
          key={format}
          type="button"
          className="link-button small"
          disabled={busy}
          onClick={() => void download(kind, id, format)}
          data-testid={`report-download-${format}`}
        >
          {title}
        </button>
      ))}
      <ErrorNote message={error || null} />
    </span>
  )
}
