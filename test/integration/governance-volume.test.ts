// An untampered registry verifies after 1,000 mixed actions from 3 identities that pass their
// signed records between homes, including promotions under four eyes.
import { afterAll, describe, expect, it } from 'vitest'
import { makeTeam, models, person, send, type Person } from '../helpers/team'

const people: Person[] = []
afterAll(() => people.forEach((p) => p.cleanup()))

describe('1,000 mixed actions from 3 identities', () => {
  it('verify clean in the home that holds them all', async () => {
    const [ana, bob, cy] = await Promise.all(['Ana', 'Bob', 'Cy'].map((n) => person(n)))
    people.push(ana!, bob!, cy!)
    await makeTeam(ana!, [
      [bob!, 'approver'],
      [cy!, 'approver'],
    ])
    const files = [models.linear, models.tree, models.nometa]
    // Each works on their own model (an approver may not approve what they registered); Ana's is churn.
    const modelOf = (p: Person): string => (p === ana ? 'churn' : `${p.name.toLowerCase()}-model`)
    for (const p of people)
      for (const file of files)
        await p.slipway.call('registry:register', { file: { path: file }, model: modelOf(p) })
    let actions = 0
    let promotions = 0
    for (let i = 0; actions < 1000; i++) {
      const p = people[i % 3]!
      const version = (Math.floor(i / 3) % 3) + 1
      const model = modelOf(p)
      switch (i % 4) {
        case 0:
          await p.slipway.call('registry:set-tag', {
            model,
            version,
            key: `k${i % 7}`,
            value: String(i),
          })
          break
        case 1:
          await p.slipway.call('cards:set', {
            model,
            ref: version,
            fields: { limitations: `note ${i}` },
          })
          break
        case 2:
          await p.slipway.call('registry:set-alias', { model, version, alias: 'staging' })
          break
        case 3:
          await p.slipway.call('registry:update-model', { model, description: `rev ${i}` })
          break
      }
      actions++
      if (i % 100 === 99) {
        // A promotion by Ana, approved by Bob or Cy in their own home: 4 more signed actions.
        const approver = promotions % 2 ? cy! : bob!
        const target = (promotions % 3) + 1
        const current = (await ana!.slipway.call('registry:get-model', { model: 'churn' })).aliases
          .production
        const to = current === target ? (target % 3) + 1 : target
        const req = await ana!.slipway.call('requests:create', {
          model: 'churn',
          ref: to,
          alias: 'production',
          comment: `round ${promotions}`,
        })
        await send(ana!, approver)
        await approver.slipway.call('requests:approve', { id: req.id, comment: 'ok' })
        await send(approver, ana!)
        await ana!.slipway.call('registry:set-alias', {
          model: 'churn',
          version: to,
          alias: 'production',
        })
        actions += 3
        promotions++
        await send(bob!, ana!)
        await send(cy!, ana!)
      }
    }
    await send(bob!, ana!)
    await send(cy!, ana!)
    const verdict = await ana!.slipway.call('audit:verify', {})
    expect(verdict.problems).toEqual([])
    expect(verdict.ok).toBe(true)
    expect(verdict.signedRecords).toBeGreaterThan(1000)
    const authors = new Set((await ana!.slipway.call('audit:list', {})).map((e) => e.fingerprint))
    expect(authors.size).toBe(3)
    expect(promotions).toBeGreaterThanOrEqual(9)
    const history = await ana!.slipway.call('history:get', { model: 'churn', alias: 'production' })
    expect(history).toHaveLength(promotions)
    expect(history.every((h) => h.approvedBy.length === 1)).toBe(true)
  }, 300_000)
})
