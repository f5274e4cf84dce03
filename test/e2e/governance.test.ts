// Governance in real Chromium against web mode: request promotion on a version → an approver in
// another home approves → the signed approval is imported in the page → the protected alias moves,
// with the lock, the history timeline and a verified audit; and the model card editor and export.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Slipway } from '../../src/core/service'
import { fixture, useHarness } from './harness'

let bob: Slipway | null = null
let bobHome = ''

const e2e = useHarness({
  name: 'governance',
  setup: async ({ server, scratch }) => {
    const ana = server.slipway
    await ana.call('identity:init', { name: 'Ana', email: 'ana@example.com' })
    bobHome = path.join(scratch, 'bob-home')
    bob = new Slipway({ home: bobHome })
    const bobId = await bob.call('identity:init', { name: 'Bob', email: 'bob@example.com' })
    const team = await ana.call('team:init', { name: 'Risk' })
    await ana.call('team:add-member', {
      publicKey: bobId.publicKey,
      name: 'Bob',
      email: 'bob@example.com',
      role: 'approver',
    })
    await bob.call('team:join', {
      policies: (await ana.call('team:export', {})).policies,
      root: team.rootFingerprint,
    })
    for (const file of ['linear_binary.onnx', 'tree_ensemble.onnx'])
      await ana.call('registry:register', {
        file: { path: fixture('models', file) },
        model: 'churn',
      })
  },
})

afterAll(() => bob?.close())

const bundleOf = async (s: Slipway) =>
  JSON.parse((await s.call('audit:export', { format: 'json' })).content) as {
    policies: unknown[]
    records: unknown[]
  }

describe('governance in the browser', () => {
  it('request → approve (in Bob’s home) → import → the protected alias moves; history and verify', async () => {
    const page = e2e.page
    await page.goto(`${e2e.server.url}#/registry/churn/1`)
    await page.locator('[data-testid="promotion-panel"]').waitFor()
    // Moving the protected alias directly is refused, in words.
    await page.locator('[data-testid="alias-input"]').fill('production')
    await page.locator('[data-testid="alias-submit"]').click()
    await page.locator('[data-testid="alias-error"]').waitFor()
    expect(await page.locator('[data-testid="alias-error"]').innerText()).toContain(
      'needs an approved promotion request',
    )

    await page.locator('[data-testid="promote-alias"]').selectOption('production')
    await page.locator('[data-testid="promote-comment"]').fill('AUC up two points')
    await page.locator('[data-testid="promote-submit"]').click()
    await page.locator('[data-testid="promote-done"]').waitFor()
    expect(await page.locator('[data-testid="version-requests"]').innerText()).toContain(
      'production: pending (0/1 approvals)',
    )

    // The inbox: Ana may only withdraw her own request.
    await page.goto(`${e2e.server.url}#/governance/requests`)
    const card = page.locator('[data-testid="request-card"]')
    await card.waitFor()
    expect(await card.getAttribute('data-status')).toBe('pending')
    expect(await card.locator('[data-testid="request-approve"]').count()).toBe(0)
    expect(await card.locator('[data-testid="request-missing"]').innerText()).toContain(
      '1 more approval',
    )

    // Bob approves in his own home, from Ana's exported records; his signed approval comes back as a file.
    await bob!.call('audit:import', await bundleOf(e2e.server.slipway))
    const id = (await card.getAttribute('data-request'))!
    await bob!.call('requests:approve', { id, comment: 'slices look fine' })
    const bobFile = path.join(e2e.scratch, 'bob.json')
    fs.writeFileSync(bobFile, JSON.stringify(await bundleOf(bob!)))

    await page.locator('[data-testid="governance-tab-audit"]').click()
    await page.locator('[data-testid="audit-page"]').waitFor()
    await page.locator('[data-testid="audit-import"]').setInputFiles(bobFile)
    await page.locator('[data-testid="audit-imported"]').waitFor()
    expect(await page.locator('[data-testid="audit-imported"]').innerText()).toMatch(
      /^Imported \d+ record\(s\)/,
    )

    await page.locator('[data-testid="governance-tab-requests"]').click()
    await page.locator('[data-testid="request-card"][data-status="approved"]').waitFor()
    expect(await page.locator('[data-testid="request-approvals"]').innerText()).toContain('Bob')

    // Now the alias moves, and carries the lock.
    await page.goto(`${e2e.server.url}#/registry/churn/1`)
    await page.locator('[data-testid="alias-input"]').fill('production')
    await page.locator('[data-testid="alias-submit"]').click()
    await page.locator('[data-testid="aliases"] [data-testid="alias-lock"]').waitFor()
    expect(await page.locator('[data-testid="aliases"]').innerText()).toContain('production')

    await page.goto(`${e2e.server.url}#/registry/churn`)
    const row = page.locator('[data-testid="history-row"]', { hasText: 'production' })
    await row.waitFor()
    expect(await row.innerText()).toMatch(/production\s+v1\s+.*now\s+Ana\s+Bob/s)

    await page.goto(`${e2e.server.url}#/governance/audit`)
    await page.locator('[data-testid="audit-verify"]').click()
    const verdict = page.locator('[data-testid="audit-verdict"]')
    await verdict.waitFor()
    expect(await verdict.getAttribute('data-ok')).toBe('true')
    expect(await verdict.innerText()).toContain('Verified:')
    expect(
      await page.locator('[data-testid="audit-row"]', { hasText: 'request.approve' }).innerText(),
    ).toContain('imported')
  })

  it('edits the model card and exports it as Markdown and HTML', async () => {
    const page = e2e.page
    await page.goto(`${e2e.server.url}#/registry/churn/2`)
    await page.locator('[data-testid="card-editor"]').waitFor()
    expect(await page.locator('[data-testid="card-status"]').innerText()).toBe('Draft')
    await page
      .locator('[data-testid="card-field-intendedUse"]')
      .fill('Monthly churn scores for <retention> campaigns')
    await page.locator('[data-testid="card-field-owner"]').fill('Ana')
    await page.locator('[data-testid="card-save"]').click()
    await page.locator('[data-testid="card-saved"]').waitFor()

    const [md] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="card-export-md"]').click(),
    ])
    expect(md.suggestedFilename()).toBe('churn-v2-card.md')
    const mdText = fs.readFileSync((await md.path())!, 'utf8')
    expect(mdText).toContain('# Model card: churn v2')
    expect(mdText).toContain('## Intended use\n\nMonthly churn scores for <retention> campaigns')
    expect(mdText).toContain('## Owner\n\nAna')

    const [html] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="card-export-html"]').click(),
    ])
    expect(html.suggestedFilename()).toBe('churn-v2-card.html')
    const htmlText = fs.readFileSync((await html.path())!, 'utf8')
    expect(htmlText).toContain('Monthly churn scores for &lt;retention&gt; campaigns')
    expect(htmlText).toMatch(/^<!doctype html>/)
    // The card change is a signed record in the trail.
    const audit = await e2e.server.slipway.call('audit:list', { model: 'churn' })
    expect(audit.filter((e) => e.type === 'card.set').map((e) => e.actor)).toEqual(['Ana'])
  })
})
