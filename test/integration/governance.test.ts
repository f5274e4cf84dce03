// Governance across homes with real keys and real SQLite files: four eyes, quorum, rejection,
// superseded requests, protected aliases, policy rotation, cards and history.
import { afterEach, describe, expect, it } from 'vitest'
import { verifyPolicyChain } from '../../src/core/governance/policy'
import { signRecord } from '../../src/core/governance/records'
import { loadIdentity } from '../../src/core/governance/identity'
import { Slipway } from '../../src/core/service'
import { tempHome } from '../helpers/home'
import { bundleOf, makeTeam, models, person, send, type Person } from '../helpers/team'

const people: Person[] = []
afterEach(() => people.splice(0).forEach((p) => p.cleanup()))
const meet = async (...names: string[]): Promise<Person[]> => {
  const ps = await Promise.all(names.map((n) => person(n)))
  people.push(...ps)
  return ps
}

const register = (p: Person, file: string, model = 'churn') =>
  p.slipway.call('registry:register', { file: { path: file }, model })

const codeOf = async (promise: Promise<unknown>): Promise<{ code: string; message: string }> => {
  try {
    await promise
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('expected the call to fail')
}

describe('solo homes', () => {
  it('a home without identity works as today and records the actor each call passes', async () => {
    const h = tempHome()
    const s = new Slipway({ home: h.dir, actor: 'os-user' })
    try {
      await s.call('registry:register', { file: { path: models.linear }, model: 'churn' })
      await s.call(
        'registry:set-alias',
        { model: 'churn', version: 1, alias: 'production' },
        { face: 'web', readLocalPaths: false, actor: { name: 'web-ana', fingerprint: null } },
      )
      const audit = await s.call('audit:list', {})
      expect(audit.map((a) => [a.type, a.actor, a.signed])).toEqual([
        ['model.create', 'os-user', false],
        ['version.register', 'os-user', false],
        ['alias.set', 'web-ana', false],
      ])
      const verify = await s.call('audit:verify', {})
      expect(verify).toMatchObject({ ok: true, unsignedRecords: 3, signedRecords: 0 })
    } finally {
      s.close()
      h.cleanup()
    }
  })

  it('an identity anchors the unsigned rows before it; later rows are signed', async () => {
    const h = tempHome()
    const s = new Slipway({ home: h.dir })
    try {
      await s.call('registry:register', { file: { path: models.linear }, model: 'churn' })
      const id = await s.call('identity:init', { name: 'Ana', email: 'ana@example.com' })
      expect(id.publicKey).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/)
      expect(id.fingerprint).toMatch(/^[0-9a-f]{64}$/)
      expect(id.shortFingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/)
      await s.call('registry:set-tag', { model: 'churn', version: 1, key: 'k', value: 'v' })
      const audit = await s.call('audit:list', {})
      expect(audit.map((a) => [a.type, a.signed])).toEqual([
        ['model.create', false],
        ['version.register', false],
        ['identity.init', true],
        ['tag.set', true],
      ])
      // No team: solo behaviour, protected aliases are not enforced.
      await s.call('registry:set-alias', { model: 'churn', version: 1, alias: 'production' })
      expect((await s.call('audit:verify', {})).ok).toBe(true)
      // A call cannot sign as someone else.
      const err = await codeOf(
        s.call(
          'registry:set-tag',
          { model: 'churn', version: 1, key: 'k', value: 'w' },
          { face: 'web', readLocalPaths: false, actor: { name: 'x', fingerprint: 'f'.repeat(64) } },
        ),
      )
      expect(err.code).toBe('UNAUTHORIZED')
    } finally {
      s.close()
      h.cleanup()
    }
  })
})

describe('four eyes and protected aliases', () => {
  it('request → approve → alias move; self, registrant and viewer approvals refused', async () => {
    const [ana, bob, cy, dan] = await meet('Ana', 'Bob', 'Cy', 'Dan')
    await makeTeam(ana!, [
      [bob!, 'approver'],
      [cy!, 'approver'],
      [dan!, 'viewer'],
    ])
    await register(ana!, models.linear)
    // A protected alias cannot be moved without an approved request.
    const refused = await codeOf(
      ana!.slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'production' }),
    )
    expect(refused.code).toBe('APPROVAL_REQUIRED')
    expect(refused.message).toContain('needs an approved promotion request')
    // Nor by registering with --alias.
    expect(
      (
        await codeOf(
          register(ana!, models.tree).then(() =>
            ana!.slipway.call('registry:register', {
              file: { path: models.nometa },
              model: 'churn',
              alias: 'champion',
            }),
          ),
        )
      ).code,
    ).toBe('APPROVAL_REQUIRED')

    const req = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 1,
      alias: 'production',
      comment: 'AUC up',
    })
    expect(req).toMatchObject({
      status: 'pending',
      approvalsNeeded: 1,
      requestedBy: 'Ana',
      version: 1,
    })
    expect(Object.keys(req.evidence).sort()).toEqual(['drift', 'evaluation', 'gate', 'shadow'])
    // The requester cannot approve.
    const self = await codeOf(ana!.slipway.call('requests:approve', { id: req.id }))
    expect(self.code).toBe('PERMISSION_DENIED')
    expect(self.message).toContain('requester')
    const pending = await codeOf(
      ana!.slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'production' }),
    )
    expect(pending.code).toBe('APPROVAL_REQUIRED')
    expect(pending.message).toContain('more approval')

    // A viewer cannot approve (role), in their own home.
    await send(ana!, dan!)
    const viewer = await codeOf(dan!.slipway.call('requests:approve', { id: req.id.slice(0, 10) }))
    expect(viewer.code).toBe('PERMISSION_DENIED')
    expect(viewer.message).toContain('needs role approver')
    // Nor register anything.
    expect((await codeOf(register(dan!, models.linear, 'other'))).message).toContain(
      'needs role contributor',
    )

    // The registrant cannot approve: Bob requests a version Cy registered; Cy may not approve it.
    await send(ana!, cy!)
    await register(cy!, models.nometa, 'fraud')
    await send(cy!, bob!)
    await send(ana!, bob!)
    const bobsRequest = await codeOf(
      bob!.slipway.call('requests:create', { model: 'fraud', ref: 1, alias: 'production' }),
    )
    expect(bobsRequest.code).toBe('NOT_FOUND') // Bob's home does not hold fraud's bytes…
    await register(bob!, models.nometa, 'fraud') // …so he registers the same bytes himself
    const fraudReq = await bob!.slipway.call('requests:create', {
      model: 'fraud',
      ref: 1,
      alias: 'production',
    })
    await send(bob!, cy!)
    const registrant = await codeOf(cy!.slipway.call('requests:approve', { id: fraudReq.id }))
    expect(registrant.code).toBe('PERMISSION_DENIED')
    expect(registrant.message).toContain('registrant')

    // Bob approves Ana's request in his home; the approval travels back; the alias moves.
    const approved = await bob!.slipway.call('requests:approve', {
      id: req.id,
      comment: 'looks right',
    })
    expect(approved.status).toBe('approved')
    await send(bob!, ana!)
    expect((await ana!.slipway.call('requests:get', { id: req.id })).status).toBe('approved')
    const moved = await ana!.slipway.call('registry:set-alias', {
      model: 'churn',
      version: 1,
      alias: 'production',
    })
    expect(moved.toVersion).toBe(1)
    const applied = await ana!.slipway.call('requests:get', { id: req.id })
    expect(applied).toMatchObject({
      status: 'applied',
      approvals: [{ by: 'Bob', comment: 'looks right', counts: true }],
    })
    const history = await ana!.slipway.call('history:get', { model: 'churn', alias: 'production' })
    expect(history).toEqual([
      expect.objectContaining({
        alias: 'production',
        version: 1,
        until: null,
        movedBy: 'Ana',
        requestId: req.id,
        approvedBy: ['Bob'],
      }),
    ])
    expect(await ana!.slipway.call('audit:verify', {})).toMatchObject({ ok: true, problems: [] })
    expect((await bob!.slipway.call('audit:verify', {})).ok).toBe(true)
  })

  it('quorum of 2: one approval is not enough, two distinct approvers are', async () => {
    const [ana, bob, cy] = await meet('Ana', 'Bob', 'Cy')
    await makeTeam(
      ana!,
      [
        [bob!, 'approver'],
        [cy!, 'approver'],
      ],
      { approvals: 2 },
    )
    await register(ana!, models.linear)
    const req = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 1,
      alias: 'champion',
    })
    expect(req.approvalsNeeded).toBe(2)
    await send(ana!, bob!)
    await bob!.slipway.call('requests:approve', { id: req.id })
    // Approving twice does not count twice.
    expect((await codeOf(bob!.slipway.call('requests:approve', { id: req.id }))).code).toBe(
      'CONFLICT',
    )
    await send(bob!, ana!)
    const one = await codeOf(
      ana!.slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' }),
    )
    expect(one.code).toBe('APPROVAL_REQUIRED')
    expect(one.message).toContain('(1 of 2)')
    await send(bob!, cy!)
    const two = await cy!.slipway.call('requests:approve', { id: req.id })
    expect(two.status).toBe('approved')
    await send(cy!, ana!)
    await ana!.slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'champion' })
    const done = await ana!.slipway.call('requests:get', { id: req.id })
    expect(done.status).toBe('applied')
    expect(done.approvals.map((a) => a.by).sort()).toEqual(['Bob', 'Cy'])
    expect((await ana!.slipway.call('audit:verify', {})).ok).toBe(true)
  })

  it('reject needs a comment and closes the request; withdrawn and superseded requests', async () => {
    const [ana, bob] = await meet('Ana', 'Bob')
    await makeTeam(ana!, [[bob!, 'approver']])
    await register(ana!, models.linear)
    await register(ana!, models.tree)
    await register(ana!, models.nometa)
    const r1 = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 1,
      alias: 'production',
    })
    await send(ana!, bob!)
    expect(
      (await codeOf(bob!.slipway.call('requests:reject', { id: r1.id, comment: '  ' }))).code,
    ).toBe('INVALID_INPUT')
    const rejected = await bob!.slipway.call('requests:reject', {
      id: r1.id,
      comment: 'calibration is off',
    })
    expect(rejected).toMatchObject({
      status: 'rejected',
      rejections: [{ by: 'Bob', comment: 'calibration is off' }],
    })
    expect((await codeOf(bob!.slipway.call('requests:approve', { id: r1.id }))).message).toContain(
      'rejected',
    )
    await send(bob!, ana!)
    expect(
      (
        await codeOf(
          ana!.slipway.call('registry:set-alias', {
            model: 'churn',
            version: 1,
            alias: 'production',
          }),
        )
      ).message,
    ).toContain('rejected')

    // Withdrawn by the requester only.
    const r2 = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 2,
      alias: 'production',
    })
    await send(ana!, bob!)
    expect((await codeOf(bob!.slipway.call('requests:withdraw', { id: r2.id }))).code).toBe(
      'PERMISSION_DENIED',
    )
    expect((await ana!.slipway.call('requests:withdraw', { id: r2.id })).status).toBe('withdrawn')

    // Two requests for the alias; moving it under one supersedes the other.
    const r3 = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 2,
      alias: 'production',
    })
    const r4 = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 3,
      alias: 'production',
    })
    await send(ana!, bob!)
    await bob!.slipway.call('requests:approve', { id: r3.id })
    await send(bob!, ana!)
    await ana!.slipway.call('registry:set-alias', {
      model: 'churn',
      version: 2,
      alias: 'production',
    })
    expect((await ana!.slipway.call('requests:get', { id: r4.id })).status).toBe('superseded')
    expect(
      (await ana!.slipway.call('requests:list', { status: 'superseded' })).map((r) => r.id),
    ).toEqual([r4.id])
    expect(
      (
        await codeOf(
          bob!.slipway
            .call('requests:approve', { id: r4.id })
            .then(() => send(bob!, ana!))
            .then(() =>
              ana!.slipway.call('registry:set-alias', {
                model: 'churn',
                version: 3,
                alias: 'production',
              }),
            ),
        )
      ).code,
    ).toBe('APPROVAL_REQUIRED')
    expect((await ana!.slipway.call('audit:verify', {})).ok).toBe(true)
  })

  it('policy rotation: signed by an admin of the predecessor verifies; by anyone else it does not', async () => {
    const [ana, bob, cy] = await meet('Ana', 'Bob', 'Cy')
    await makeTeam(ana!, [
      [bob!, 'admin'],
      [cy!, 'approver'],
    ])
    // Bob, an admin of version 2, rotates Ana out of admin.
    await send(ana!, bob!)
    const rotated = await bob!.slipway.call('team:update', {
      change: { memberRoles: { [ana!.fingerprint]: ['contributor'] } },
    })
    expect(rotated.policy.version).toBe(4)
    expect(rotated.diff).toEqual([expect.stringContaining('Ana: roles admin → contributor')])
    await send(bob!, ana!)
    const show = await ana!.slipway.call('team:show', {})
    expect(show).toMatchObject({ version: 4, myRoles: ['contributor'] })
    // Ana may no longer change the policy.
    const denied = await codeOf(
      ana!.slipway.call('team:update', { change: { approvalsRequired: 2 } }),
    )
    expect(denied.code).toBe('PERMISSION_DENIED')
    expect(denied.message).toContain('admin')
    expect((await ana!.slipway.call('audit:verify', {})).ok).toBe(true)

    // A version 5 signed by Ana (not an admin of version 4) with her real key is refused.
    const bundle = await bundleOf(ana!)
    const v4 = bundle.policies.at(-1)!
    const key = loadIdentity(ana!.home)!.privateKey!
    const forged = signRecord(
      {
        ...v4,
        author: ana!.fingerprint,
        seq: 5,
        prev: (await ana!.slipway.call('team:show', {}))!.policyId,
        at: new Date().toISOString(),
        body: {
          ...v4.body,
          version: 5,
          prev: show!.policyId,
          approvalsRequired: 1,
          members: v4.body.members.map((m) => ({ ...m, roles: ['admin' as const] })),
        },
      },
      key,
    )
    const chain = verifyPolicyChain([...bundle.policies, forged], bundle.root)
    expect(chain.chain).toHaveLength(4)
    expect(chain.problems[0]!.problem).toContain('not an admin of version 4')
    const imported = await codeOf(
      cy!.slipway.call('audit:import', {
        policies: [...bundle.policies, forged],
        records: bundle.records,
      }),
    )
    expect(imported.code).toBe('CONFLICT')
    expect(imported.message).toContain('not an admin of version 4')
    expect((await cy!.slipway.call('team:show', {}))!.version).toBeLessThan(5)
  })

  it('policy requirements: card fields before a request, a recent passed gate before approval', async () => {
    const [ana, bob] = await meet('Ana', 'Bob')
    await makeTeam(ana!, [[bob!, 'approver']])
    await ana!.slipway.call('team:update', {
      change: { requirements: { gatePassedWithinDays: 7, cardFields: ['intendedUse', 'owner'] } },
    })
    await register(ana!, models.linear)
    const noCard = await codeOf(
      ana!.slipway.call('requests:create', { model: 'churn', ref: 1, alias: 'production' }),
    )
    expect(noCard.code).toBe('APPROVAL_REQUIRED')
    expect(noCard.message).toContain('intendedUse, owner')
    await ana!.slipway.call('cards:set', {
      model: 'churn',
      ref: 1,
      fields: { intendedUse: 'Monthly churn scores', owner: 'Ana' },
    })
    const req = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 1,
      alias: 'production',
    })
    expect(req.missing.join(' ')).toContain('a passed gate check')
    await send(ana!, bob!)
    const noGate = await codeOf(bob!.slipway.call('requests:approve', { id: req.id }))
    expect(noGate.code).toBe('APPROVAL_REQUIRED')
    expect(noGate.message).toContain('passed gate check')
  })
})

describe('model cards', () => {
  it('fields, auto-filled parts, status following requests, and exports', async () => {
    const [ana, bob] = await meet('Ana', 'Bob')
    await makeTeam(ana!, [[bob!, 'approver']])
    await register(ana!, models.linear)
    let card = await ana!.slipway.call('cards:get', { model: 'churn', ref: 1 })
    expect(card).toMatchObject({ status: 'Draft', fields: { intendedUse: '', owner: '' } })
    expect(card.auto.lineage.sha256).toMatch(/^[0-9a-f]{64}$/)
    card = await ana!.slipway.call('cards:set', {
      model: 'churn',
      ref: 1,
      fields: { intendedUse: 'Scoring <b>churn</b>', limitations: 'EU only' },
    })
    expect(card.fields).toMatchObject({
      intendedUse: 'Scoring <b>churn</b>',
      limitations: 'EU only',
    })
    const req = await ana!.slipway.call('requests:create', {
      model: 'churn',
      ref: 1,
      alias: 'production',
    })
    expect((await ana!.slipway.call('cards:get', { model: 'churn', ref: 1 })).status).toBe(
      'In review',
    )
    await send(ana!, bob!)
    // The card travelled with the records.
    expect((await bob!.slipway.call('audit:list', {})).some((e) => e.type === 'card.set')).toBe(
      true,
    )
    await bob!.slipway.call('requests:approve', { id: req.id })
    await send(bob!, ana!)
    await ana!.slipway.call('registry:set-alias', {
      model: 'churn',
      version: 1,
      alias: 'production',
    })
    card = await ana!.slipway.call('cards:get', { model: 'churn', ref: 1 })
    expect(card.status).toBe('Approved')
    expect(card.auto.approvals).toEqual([
      expect.objectContaining({ alias: 'production', status: 'applied', approvedBy: ['Bob'] }),
    ])
    const md = await ana!.slipway.call('cards:export', { model: 'churn', ref: 1, format: 'md' })
    expect(md.content).toContain('# Model card: churn v1')
    expect(md.content).toContain('## Intended use')
    expect(md.content).toContain('approved by Bob')
    const html = await ana!.slipway.call('cards:export', { model: 'churn', ref: 1, format: 'html' })
    expect(html.content).toContain('Scoring &lt;b&gt;churn&lt;/b&gt;')
    expect(html.content).not.toContain('<b>churn</b>')
    expect(html.content).not.toMatch(/<script|src="http/)
  })
})
