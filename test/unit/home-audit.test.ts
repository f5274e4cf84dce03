// Registry home resolution and the tamper-evident audit chain.
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/core/db/open'
import { appendLegacyAudit, verifyAuditChain } from '../../src/core/governance/audit'
import { defaultAppDataDir, resolveHome } from '../../src/core/home'
import { tempHome } from '../helpers/home'

const homes: (() => void)[] = []
afterEach(() => homes.splice(0).forEach((c) => c()))

describe('home', () => {
  it('prefers --home, then SLIPWAY_HOME, then the per-user app data folder', () => {
    expect(resolveHome('/tmp/a', { SLIPWAY_HOME: '/tmp/b' })).toBe('/tmp/a')
    expect(resolveHome(undefined, { SLIPWAY_HOME: '/tmp/b' })).toBe('/tmp/b')
    expect(resolveHome(undefined, {})).toBe(defaultAppDataDir())
  })

  it('matches the folder Electron uses for userData on each platform', () => {
    expect(defaultAppDataDir('linux', {}, '/home/ana')).toBe('/home/ana/.config/Slipway')
    expect(defaultAppDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/ana')).toBe('/x/Slipway')
    expect(defaultAppDataDir('darwin', {}, '/Users/ana')).toBe(
      '/Users/ana/Library/Application Support/Slipway',
    )
    expect(
      defaultAppDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana'),
    ).toBe(path.join('C:\\Users\\ana\\AppData\\Roaming', 'Slipway'))
  })
})

describe('audit chain', () => {
  it('verifies an intact chain and finds the first edited record', () => {
    const h = tempHome()
    homes.push(h.cleanup)
    const { db } = openDatabase(path.join(h.dir, 'r.sqlite'))
    for (let i = 0; i < 5; i++)
      appendLegacyAudit(db, { actor: 'ana', action: 'tag.set', details: { i } })
    expect(verifyAuditChain(db)).toEqual({ ok: true, count: 5 })
    db.prepare("UPDATE audit_events SET actor = 'mallory' WHERE id = 3").run()
    expect(verifyAuditChain(db)).toEqual({ ok: false, brokenAt: 3 })
    db.prepare("UPDATE audit_events SET actor = 'ana' WHERE id = 3").run()
    db.prepare('DELETE FROM audit_events WHERE id = 2').run()
    expect(verifyAuditChain(db)).toEqual({ ok: false, brokenAt: 3 })
    db.close()
  })
})
