// Identity and team: create this home's identity, see its fingerprint, the members and roles;
// admins edit the policy and see a diff before signing the new version.
import { useEffect, useState, type FormEvent } from 'react'
import type { IdentityView, PolicyChange, Role, TeamPolicy } from '../../../../api/governance'
import { formatTime } from '../../lib/format'
import { useGovernance } from '../../stores/governance'
import { ErrorNote } from '../ErrorNote'
import { Text } from '../Text'

const ROLES: Role[] = ['viewer', 'contributor', 'approver', 'admin']
const split = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export function IdentityTeamPage() {
  const { identity, team, loaded, loadError, load } = useGovernance()
  useEffect(() => {
    void load()
  }, [load])
  return (
    <section data-testid="identity-page">
      <header className="page-header">
        <h1>Identity and team</h1>
      </header>
      <ErrorNote message={loadError} testId="identity-load-error" />
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : identity ? (
        <IdentityCard identity={identity} />
      ) : (
        <IdentityForm />
      )}
      {loaded && identity && (team ? <TeamCard team={team} /> : <TeamForm />)}
    </section>
  )
}

function IdentityForm() {
  const createIdentity = useGovernance((s) => s.createIdentity)
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setBusy(true)
    setError(await createIdentity(name, email))
    setBusy(false)
  }
  return (
    <div className="card">
      <h2>This home has no identity</h2>
      <p className="muted">
        Without one, Slipway records your OS user name and nothing is signed. An identity is an
        Ed25519 key pair kept in this home; its fingerprint identifies you to your team.
      </p>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Your name"
          aria-label="Name"
          data-testid="identity-name"
        />
        <input
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="you@example.com"
          aria-label="Email"
          data-testid="identity-email"
        />
        <button type="submit" disabled={busy} data-testid="identity-create">
          Create identity
        </button>
      </form>
      <ErrorNote message={error} testId="identity-error" />
    </div>
  )
}

function IdentityCard({ identity }: { identity: IdentityView }) {
  return (
    <div className="card" data-testid="identity-card">
      <h2>
        <Text value={identity.name} max={80} />{' '}
        <span className="muted">
          &lt;
          <Text value={identity.email} max={120} />
          &gt;
        </span>
      </h2>
      <dl className="facts-list">
        <dt>Fingerprint</dt>
        <dd className="mono" data-testid="identity-fingerprint" title={identity.fingerprint}>
          {identity.shortFingerprint}
        </dd>
        <dt>Public key</dt>
        <dd className="mono small" data-testid="identity-public-key">
          {identity.publicKey}
        </dd>
        <dt>Private key</dt>
        <dd>
          {identity.encrypted
            ? `passphrase-protected${identity.unlocked ? ', unlocked' : ', locked'}`
            : 'stored in this home (0600)'}
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(identity.createdAt)}</dd>
      </dl>
    </div>
  )
}

function TeamForm() {
  const initTeam = useGovernance((s) => s.initTeam)
  const [name, setName] = useState('')
  const [approvals, setApprovals] = useState('1')
  const [protect, setProtect] = useState('production, champion')
  const [error, setError] = useState<string | null>(null)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setError(await initTeam(name, Number(approvals), split(protect)))
  }
  return (
    <div className="card">
      <h2>No team</h2>
      <p className="muted">
        A solo home works as before. Start a team to protect aliases with four-eyes approvals; you
        become its admin.
      </p>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Team name"
          aria-label="Team name"
          data-testid="team-name"
        />
        <label>
          Approvals{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={approvals}
            onChange={(e) => setApprovals(e.target.value)}
            aria-label="Approvals required"
          />
        </label>
        <input
          value={protect}
          onChange={(e) => setProtect(e.target.value)}
          aria-label="Protected aliases"
        />
        <button type="submit" data-testid="team-create">
          Start team
        </button>
      </form>
      <ErrorNote message={error} testId="team-error" />
    </div>
  )
}

function TeamCard({ team }: { team: TeamPolicy }) {
  const isAdmin = team.myRoles.includes('admin')
  return (
    <>
      <div className="card" data-testid="team-card">
        <h2>
          Team <Text value={team.team} max={80} />{' '}
          <span className="muted">· policy v{team.version}</span>
        </h2>
        <p className="small">
          Root fingerprint{' '}
          <span className="mono" data-testid="team-root">
            {team.rootFingerprint}
          </span>
          <br />
          <span className="muted">
            Compare it with your team over another channel: it is what every signature is checked
            back to.
          </span>
        </p>
        <p>
          Protected aliases:{' '}
          <strong data-testid="team-protected">{team.protectedAliases.join(', ') || 'none'}</strong>{' '}
          · approvals required: <strong>{team.approvalsRequired}</strong>
          {team.requirements.gatePassedWithinDays !== null && (
            <> · gate passed within {team.requirements.gatePassedWithinDays} days</>
          )}
          {team.requirements.cardFields.length > 0 && (
            <> · card fields {team.requirements.cardFields.join(', ')}</>
          )}
        </p>
        <table className="data compact" data-testid="team-members">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Fingerprint</th>
              <th>Roles</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((m) => (
              <tr key={m.fingerprint}>
                <td>
                  <Text value={m.name} max={80} />
                </td>
                <td>
                  <Text value={m.email} max={120} />
                </td>
                <td className="mono" title={m.fingerprint}>
                  {m.fingerprint.slice(0, 16)}
                </td>
                <td>{m.roles.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          Signed by <Text value={team.signedBy} max={80} /> on {formatTime(team.at)}. You are{' '}
          {team.myRoles.join(', ') || 'not a member'}.
        </p>
      </div>
      {isAdmin && <PolicyEditor team={team} />}
    </>
  )
}

function PolicyEditor({ team }: { team: TeamPolicy }) {
  const { addMember, previewPolicy, signPolicy } = useGovernance()
  const [publicKey, setPublicKey] = useState('')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('approver')
  const [approvals, setApprovals] = useState(String(team.approvalsRequired))
  const [protect, setProtect] = useState(team.protectedAliases.join(', '))
  const [diff, setDiff] = useState<string[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const change = (): PolicyChange => ({
    approvalsRequired: Number(approvals),
    protectedAliases: split(protect),
  })
  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const problem = await addMember(publicKey, name, email, role)
    setError(problem)
    if (!problem) {
      setPublicKey('')
      setName('')
      setEmail('')
    }
  }
  const preview = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const r = await previewPolicy(change())
    if ('error' in r) {
      setError(r.error)
      setDiff(null)
    } else {
      setError(null)
      setDiff(r.diff)
    }
  }
  const sign = async (): Promise<void> => {
    const problem = await signPolicy(change())
    setError(problem)
    if (!problem) setDiff(null)
  }
  return (
    <div className="card" data-testid="policy-editor">
      <h2>Change the policy</h2>
      <p className="muted small">
        Each change is a new policy version signed with your key; members check it against the root.
      </p>
      <form className="inline-form" onSubmit={(e) => void add(e)}>
        <input
          value={publicKey}
          onChange={(e) => setPublicKey(e.target.value)}
          placeholder="ed25519:…"
          aria-label="Public key"
          data-testid="member-key"
        />
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Name"
          aria-label="Member name"
          data-testid="member-name"
        />
        <input
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="Email"
          aria-label="Member email"
          data-testid="member-email"
        />
        <select
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          aria-label="Role"
          data-testid="member-role"
        >
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" data-testid="member-add">
          Add member and sign
        </button>
      </form>
      <form className="inline-form" onSubmit={(e) => void preview(e)}>
        <label>
          Approvals required{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={approvals}
            onChange={(e) => setApprovals(e.target.value)}
            data-testid="policy-approvals"
          />
        </label>
        <label>
          Protected aliases{' '}
          <input
            value={protect}
            onChange={(e) => setProtect(e.target.value)}
            data-testid="policy-protect"
          />
        </label>
        <button type="submit" data-testid="policy-preview">
          Preview change
        </button>
      </form>
      {diff && (
        <div data-testid="policy-diff">
          <p>Signing version {team.version + 1} changes:</p>
          <ul className="mono small">
            {diff.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <button type="button" onClick={() => void sign()} data-testid="policy-sign">
            Sign policy version {team.version + 1}
          </button>
        </div>
      )}
      <ErrorNote message={error} testId="policy-error" />
    </div>
  )
}
