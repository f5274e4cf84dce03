// The requests inbox: promotion requests with their evidence and approvals; approvers approve or
// reject (with a comment; required to reject), requesters withdraw.
import { useEffect, useState } from 'react'
import type { PromotionRequest, RequestStatus } from '../../../../api/governance'
import { formatTime } from '../../lib/format'
import { useGovernance } from '../../stores/governance'
import { hrefFor } from '../../stores/route'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'
import { LockIcon } from './LockIcon'

const STATUSES: (RequestStatus | '')[] = [
  '',
  'pending',
  'approved',
  'rejected',
  'applied',
  'withdrawn',
  'superseded',
]

export function RequestsInbox() {
  const { requests, requestsFilter, loadRequests, load } = useGovernance()
  useEffect(() => {
    void load()
    void loadRequests()
  }, [load, loadRequests])
  return (
    <section data-testid="requests-inbox">
      <header className="page-header">
        <h1>Promotion requests</h1>
        <select
          value={requestsFilter}
          onChange={(e) => void loadRequests(e.target.value as RequestStatus | '')}
          aria-label="Status"
          data-testid="requests-filter"
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'all'}
            </option>
          ))}
        </select>
      </header>
      {requests.length === 0 ? (
        <p className="muted" data-testid="requests-empty">
          No promotion requests{requestsFilter ? ` with status ${requestsFilter}` : ''}.
        </p>
      ) : (
        requests.map((r) => <RequestCard key={r.id} request={r} />)
      )}
    </section>
  )
}

function evidenceLine(name: string, value: unknown): string {
  if (!value || typeof value !== 'object') return `${name}: none`
  const v = value as Record<string, unknown>
  if (name === 'gate') return `gate: ${v.passed ? 'passed' : 'failed'} (${String(v.at)})`
  if (name === 'drift') return `drift: ${String(v.status)} (${String(v.at)})`
  if (name === 'evaluation')
    return `evaluation: ${Object.entries((v.headline as Record<string, unknown>) ?? {})
      .map(([k, x]) => `${k} ${String(x)}`)
      .join(', ')} (${String(v.at)})`
  if (name === 'shadow') return `shadow: against v${String(v.againstVersion)} (${String(v.at)})`
  return `${name}: ${JSON.stringify(v)}`
}

function RequestCard({ request: r }: { request: PromotionRequest }) {
  const { decide, identity } = useGovernance()
  const [comment, setComment] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const open = r.status === 'pending' || r.status === 'approved'
  const act = async (decision: 'approve' | 'reject' | 'withdraw'): Promise<void> => {
    setBusy(true)
    const problem = await decide(r.id, decision, comment)
    setBusy(false)
    setError(problem)
    if (!problem) setComment('')
  }
  const counted = r.approvals.filter((a) => a.counts).length
  return (
    <div className="card" data-testid="request-card" data-status={r.status} data-request={r.id}>
      <h2>
        <a
          href={r.version ? hrefFor('registry', r.model, r.version) : hrefFor('registry', r.model)}
        >
          <Text value={r.model} max={80} />{' '}
          {r.version !== null ? `v${r.version}` : r.versionSha256.slice(0, 8)}
        </a>{' '}
        → <LockIcon /> <Text value={r.alias} max={64} />{' '}
        <span className={`badge status-${r.status}`} data-testid="request-status">
          {r.status}
        </span>
      </h2>
      <p className="small">
        Requested by <Text value={r.requestedBy} max={80} /> on {formatTime(r.createdAt)}
        {r.comment && (
          <>
            : “<Text value={r.comment} max={500} />”
          </>
        )}
        <br />
        <span className="mono muted">{r.id.slice(0, 16)}</span>
      </p>
      <p data-testid="request-approvals">
        Approvals {counted} of {r.approvalsNeeded}
        {r.approvals.map((a) => (
          <span key={a.fingerprint + a.at} className="small">
            {' '}
            · {a.counts ? '✓' : '✗'} <Text value={a.by} max={60} />
            {a.comment && (
              <>
                {' '}
                “<Text value={a.comment} max={200} />”
              </>
            )}
            {!a.counts && a.reason && <> ({a.reason})</>}
          </span>
        ))}
      </p>
      {r.rejections.map((x) => (
        <p key={x.fingerprint + x.at} className="small" data-testid="request-rejection">
          Rejected by <Text value={x.by} max={60} />: “<Text value={x.comment} max={500} />”
        </p>
      ))}
      {r.missing.length > 0 && (
        <ul className="small muted" data-testid="request-missing">
          {r.missing.map((m) => (
            <li key={m}>Missing: {m}</li>
          ))}
        </ul>
      )}
      <details>
        <summary>Evidence</summary>
        <ul className="small">
          {['evaluation', 'gate', 'shadow', 'drift'].map((k) => (
            <li key={k}>{evidenceLine(k, r.evidence[k])}</li>
          ))}
        </ul>
      </details>
      {open && (
        <div className="inline-form">
          <input
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder="Comment (required to reject)"
            aria-label="Comment"
            data-testid="request-comment"
          />
          {identity?.fingerprint === r.requestedByFingerprint ? (
            <button
              type="button"
              disabled={busy}
              onClick={() => void act('withdraw')}
              data-testid="request-withdraw"
            >
              Withdraw
            </button>
          ) : (
            <>
              <button
                type="button"
                disabled={busy}
                onClick={() => void act('approve')}
                data-testid="request-approve"
              >
                Approve
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => void act('reject')}
                data-testid="request-reject"
              >
                Reject
              </button>
            </>
          )}
        </div>
      )}
      <ErrorNote message={error} testId="request-error" />
    </div>
  )
}
