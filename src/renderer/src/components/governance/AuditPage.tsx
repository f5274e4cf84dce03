// The audit trail: signed records (and unsigned ones from before the identity), a Verify button
// that says the result in words, exports for an auditor, and importing records signed elsewhere.
import { useEffect, useState, type ChangeEvent } from 'react'
import { formatTime } from '../../lib/format'
import { useGovernance } from '../../stores/governance'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'

export function AuditPage() {
  const { audit, verify, verifying, loadAudit, runVerify, exportAudit, importBundle } =
    useGovernance()
  const [error, setError] = useState<string | null>(null)
  const [imported, setImported] = useState<string | null>(null)
  useEffect(() => {
    void loadAudit()
  }, [loadAudit])
  const onFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    const r = await importBundle(await file.text())
    setImported(r.ok ? r.message : null)
    setError(r.ok ? null : r.message)
  }
  return (
    <section data-testid="audit-page">
      <header className="page-header">
        <h1>Audit trail</h1>
        <span className="inline-form">
          <button
            type="button"
            disabled={verifying}
            onClick={() => void runVerify()}
            data-testid="audit-verify"
          >
            {verifying ? 'Verifying…' : 'Verify'}
          </button>
          {(['json', 'csv', 'html'] as const).map((f) => (
            <button
              key={f}
              type="button"
              onClick={() => void exportAudit(f).then(setError)}
              data-testid={`audit-export-${f}`}
            >
              Export {f.toUpperCase()}
            </button>
          ))}
          <label className="button">
            Import signed records…
            <input
              type="file"
              accept=".json,application/json"
              hidden
              onChange={(e) => void onFile(e)}
              data-testid="audit-import"
            />
          </label>
        </span>
      </header>
      {verify && (
        <div
          className={`card ${verify.ok ? 'verdict-ok' : 'verdict-bad'}`}
          data-testid="audit-verdict"
          data-ok={String(verify.ok)}
        >
          <p>
            <strong>{verify.ok ? '✓ ' : '✗ '}</strong>
            <Text value={verify.summary} max={2000} />
          </p>
          {verify.problems.length > 0 && (
            <ol className="small">
              {verify.problems.slice(0, 20).map((p, i) => (
                <li key={i}>
                  <span className="mono">{p.record?.slice(0, 12) ?? '—'}</span>{' '}
                  <Text value={p.problem} max={1000} />
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {imported && (
        <p className="muted" data-testid="audit-imported">
          {imported}
        </p>
      )}
      <ErrorNote message={error} testId="audit-error" />
      <table className="data compact" data-testid="audit-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Action</th>
            <th>Actor</th>
            <th>What</th>
            <th>Signature</th>
          </tr>
        </thead>
        <tbody>
          {audit.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td>{formatTime(e.at)}</td>
              <td className="mono">{e.type}</td>
              <td>
                <Text value={e.actor} max={60} />
              </td>
              <td>
                <Text value={e.summary} max={200} />
              </td>
              <td className="small">
                {e.signed
                  ? `signed · seq ${e.seq}${e.origin === 'imported' ? ' · imported' : ''}`
                  : 'unsigned'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
