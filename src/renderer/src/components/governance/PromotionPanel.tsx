// On a version: "Request promotion" of a protected alias (evidence is attached by Slipway), and the
// model card editor with its status and Markdown/HTML export.
import { useEffect, useState, type FormEvent } from 'react'
import { cardFieldNames } from '../../../../api/governance'
import { useGovernance } from '../../stores/governance'
import { client } from '../../transport/client'
import { hrefFor } from '../../stores/route'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'
import { LockIcon } from './LockIcon'

const TITLES: Record<string, string> = {
  intendedUse: 'Intended use',
  outOfScope: 'Out-of-scope uses',
  limitations: 'Limitations',
  ethicalConsiderations: 'Ethical considerations',
  owner: 'Owner',
}

export function PromotionPanel({ model, version }: { model: string; version: number }) {
  const { team, identity, load, createRequest, requests, loadRequests } = useGovernance()
  const [alias, setAlias] = useState('')
  const [comment, setComment] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [made, setMade] = useState<string | null>(null)
  useEffect(() => {
    void load()
    void loadRequests('')
  }, [load, loadRequests])
  const protectedAliases = team?.protectedAliases ?? []
  const chosen = alias || protectedAliases[0] || ''
  const mine = requests.filter((r) => r.model === model && r.version === version)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const problem = await createRequest(model, version, chosen, comment)
    setError(problem)
    setMade(problem ? null : `Requested ${chosen} for v${version}`)
    if (!problem) setComment('')
  }
  if (!identity || !team) return null
  return (
    <div className="card" data-testid="promotion-panel">
      <h2>Promotion</h2>
      {mine.length > 0 && (
        <ul className="small" data-testid="version-requests">
          {mine.map((r) => (
            <li key={r.id}>
              <LockIcon /> <Text value={r.alias} max={64} />: <strong>{r.status}</strong> (
              {r.approvals.filter((a) => a.counts).length}/{r.approvalsNeeded} approvals) ·{' '}
              <a href={hrefFor('governance', 'requests')}>inbox</a>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <select
          value={chosen}
          onChange={(e) => setAlias(e.target.value)}
          aria-label="Protected alias"
          data-testid="promote-alias"
        >
          {protectedAliases.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        <input
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="Why this version"
          aria-label="Comment"
          data-testid="promote-comment"
        />
        <button type="submit" disabled={!chosen} data-testid="promote-submit">
          Request promotion
        </button>
      </form>
      <p className="muted small">
        The latest evaluation, gate report, shadow comparison and drift status are attached as
        evidence.
      </p>
      {made && (
        <p className="muted" data-testid="promote-done">
          {made}
        </p>
      )}
      <ErrorNote message={error} testId="promote-error" />
    </div>
  )
}

export function ModelCardEditor({ model, version }: { model: string; version: number }) {
  const { card, cardError, loadCard, saveCard, exportCard } = useGovernance()
  // Electron only (printToPDF); web mode offers the HTML export, which a browser prints.
  const pdf = client().saveCardPdf
  const [draft, setDraft] = useState<Record<string, string>>({})
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    void loadCard(model, version)
  }, [model, version, loadCard])
  const shown = card && card.model === model && card.version === version ? card : null
  useEffect(() => {
    if (shown) setDraft({ ...shown.fields })
  }, [shown])
  if (!shown) return <ErrorNote message={cardError} testId="card-error" />
  const fields = [...new Set([...cardFieldNames, ...Object.keys(shown.fields)])]
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const changed = Object.fromEntries(
      fields
        .filter((f) => (draft[f] ?? '') !== (shown.fields[f] ?? ''))
        .map((f) => [f, draft[f] ?? '']),
    )
    if (Object.keys(changed).length === 0) {
      setError('Nothing changed')
      return
    }
    const problem = await saveCard(model, version, changed)
    setError(problem)
    setSaved(!problem)
  }
  const ev = shown.auto.evaluation
  return (
    <div className="card" data-testid="card-editor">
      <h2>
        Model card{' '}
        <span className="badge" data-testid="card-status">
          {shown.status}
        </span>
      </h2>
      <form onSubmit={(e) => void submit(e)}>
        {fields.map((f) => (
          <label key={f} className="block">
            {TITLES[f] ?? f}
            <textarea
              rows={2}
              value={draft[f] ?? ''}
              onChange={(e) => {
                setSaved(false)
                setDraft({ ...draft, [f]: e.target.value })
              }}
              data-testid={`card-field-${f}`}
            />
          </label>
        ))}
        <span className="inline-form">
          <button type="submit" data-testid="card-save">
            Save card
          </button>
          <button
            type="button"
            onClick={() => void exportCard(model, version, 'md').then(setError)}
            data-testid="card-export-md"
          >
            Export Markdown
          </button>
          <button
            type="button"
            onClick={() => void exportCard(model, version, 'html').then(setError)}
            data-testid="card-export-html"
          >
            Export HTML
          </button>
          {pdf && (
            <button
              type="button"
              onClick={() =>
                void pdf(model, version).then((r) => setError(r.ok ? null : r.error.message))
              }
              data-testid="card-export-pdf"
            >
              Save as PDF
            </button>
          )}
          {saved && (
            <span className="muted" data-testid="card-saved">
              Saved and signed
            </span>
          )}
        </span>
      </form>
      <ErrorNote message={error} testId="card-save-error" />
      <details>
        <summary>Filled in by Slipway</summary>
        <ul className="small" data-testid="card-auto">
          <li>
            Lineage: code {String(shown.auto.lineage.codeVersion ?? '—')}, registered by{' '}
            {String(shown.auto.lineage.registeredBy)}
          </li>
          <li>
            Training data:{' '}
            {shown.auto.trainingData ? String(shown.auto.trainingData.name) : 'none recorded'}
          </li>
          <li>
            Latest evaluation:{' '}
            {ev ? `${String(ev.task)} on ${String(ev.rows)} rows (${String(ev.at)})` : 'none'}
          </li>
          <li>
            Latency:{' '}
            {shown.auto.latency
              ? `p95 ${Number(shown.auto.latency.p95Ms).toFixed(2)} ms`
              : 'not measured'}
          </li>
          <li>Drift: {shown.auto.drift ? String(shown.auto.drift.status) : 'no run'}</li>
          <li>
            Approvals:{' '}
            {shown.auto.approvals.length
              ? shown.auto.approvals.map((a) => `${String(a.alias)} ${String(a.status)}`).join('; ')
              : 'none'}
          </li>
        </ul>
      </details>
    </div>
  )
}
