// Several people, each with their own registry home and identity, passing signed records the
// way they would by mail or a shared folder: `audit export` from one home, `audit import` into another.
import type { PolicyDocument } from '../../src/core/governance/policy'
import type { SignedRecord } from '../../src/core/governance/records'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from './home'

export interface Person {
  name: string
  home: string
  slipway: Slipway
  fingerprint: string
  publicKey: string
  cleanup: () => void
}

export async function person(name: string): Promise<Person> {
  const h = tempHome(`slipway-${name.toLowerCase()}-`)
  const slipway = new Slipway({ home: h.dir })
  const id = await slipway.call('identity:init', {
    name,
    email: `${name.toLowerCase()}@example.com`,
  })
  return {
    name,
    home: h.dir,
    slipway,
    fingerprint: id.fingerprint,
    publicKey: id.publicKey,
    cleanup: () => {
      try {
        slipway.close()
      } catch {
        // already closed
      }
      h.cleanup()
    },
  }
}

export interface Bundle {
  root: string | null
  policies: PolicyDocument[]
  records: SignedRecord[]
}

export async function bundleOf(p: Person): Promise<Bundle> {
  const out = await p.slipway.call('audit:export', { format: 'json' })
  return JSON.parse(out.content) as Bundle
}

/** Everything `from` holds enters `to`, verified. */
export async function send(from: Person, to: Person): Promise<void> {
  const b = await bundleOf(from)
  await to.slipway.call('audit:import', { policies: b.policies, records: b.records })
}

/** `admin` starts a team and adds the others with the given roles; everyone joins. */
export async function makeTeam(
  admin: Person,
  others: [Person, 'viewer' | 'contributor' | 'approver' | 'admin'][],
  options: { approvals?: number } = {},
): Promise<string> {
  const team = await admin.slipway.call('team:init', { name: 'Risk', approvals: options.approvals })
  for (const [p, role] of others)
    await admin.slipway.call('team:add-member', {
      publicKey: p.publicKey,
      name: p.name,
      email: `${p.name}@example.com`,
      role,
    })
  const chain = await admin.slipway.call('team:export', {})
  for (const [p] of others)
    await p.slipway.call('team:join', { policies: chain.policies, root: team.rootFingerprint })
  for (const [p] of others) {
    await send(admin, p)
    await send(p, admin)
  }
  return team.rootFingerprint
}

export const models = {
  linear: fixture('models', 'linear_binary.onnx'),
  tree: fixture('models', 'tree_ensemble.onnx'),
  nometa: fixture('models', 'linear_nometa.onnx'),
}
