// Tampering with a registry file must be caught by `slipway audit verify` (exit 5, naming the
// first bad record): edited, deleted and reordered records, approvals by a non-approver or by
// the requester, forged alias moves, a replaced policy. The file is edited with SQLite itself.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/core/governance/canonical'
import { createIdentity, loadIdentity } from '../../src/core/governance/identity'
import { recordId, signRecord, type SignedRecord } from '../../src/core/governance/records'
import { runCli } from '../helpers/cli'
import { tempHome } from '../helpers/home'
import { makeTeam, models, person, send, type Person } from '../helpers/team'

let ana: Person, bob: Person, dan: Person
let pendingRequest = ''
let appliedRequest = ''
const copies: (() => void)[] = []

beforeAll(async () => {
  ana = await person('Ana')
  bob = await person('Bob')
  dan = await person('Dan')
  await makeTeam(ana, [
    [bob, 'approver'],
    [dan, 'viewer'],
  ])
  await ana.slipway.call('registry:register', { file: { path: models.linear }, model: 'churn' })
  await ana.slipway.call('registry:register', { file: { path: models.tree }, model: 'churn' })
  await ana.slipway.call('registry:set-tag', {
    model: 'churn',
    version: 1,
    key: 'team',
    value: 'risk',
  })
  const r1 = await ana.slipway.call('requests:create', {
    model: 'churn',
    ref: 1,
    alias: 'production',
  })
  await send(ana, bob)
  await bob.slipway.call('requests:approve', { id: r1.id, comment: 'ok' })
  await send(bob, ana)
  await ana.slipway.call('registry:set-alias', { model: 'churn', version: 1, alias: 'production' })
  const r2 = await ana.slipway.call('requests:create', {
    model: 'churn',
    ref: 2,
    alias: 'production',
  })
  await ana.slipway.call('registry:set-tag', {
    model: 'churn',
    version: 2,
    key: 'team',
    value: 'risk',
  })
  appliedRequest = r1.id
  pendingRequest = r2.id
  for (const p of [ana, bob, dan]) p.slipway.close()
}, 120_000)

afterAll(() => {
  copies.splice(0).forEach((c) => c())
  for (const p of [ana, bob, dan]) p?.cleanup()
})

/** A copy of Ana's home to tamper with. */
function copyOfAna(): { home: string; db: Database.Database } {
  const h = tempHome('slipway-tamper-')
  copies.push(h.cleanup)
  fs.cpSync(ana.home, h.dir, { recursive: true })
  return { home: h.dir, db: new Database(path.join(h.dir, 'registry.sqlite')) }
}

interface Row {
  rowid: number
  id: string
  author: string
  seq: number
  record_json: string
}
const rowsOf = (db: Database.Database, author: string): Row[] =>
  db
    .prepare(
      'SELECT rowid, id, author, seq, record_json FROM signed_records WHERE author = ? ORDER BY seq',
    )
    .all(author) as Row[]

/** Inserts a record signed with a real key, as the next of its author in this file. */
function insertSigned(
  db: Database.Database,
  home: string,
  type: string,
  body: SignedRecord['body'],
  team: string | null,
): string {
  const identity = loadIdentity(home)!
  const last = rowsOf(db, identity.info.fingerprint).at(-1)!
  const record = signRecord(
    {
      v: 1,
      type,
      author: identity.info.fingerprint,
      seq: last.seq + 1,
      prev: last.id,
      at: new Date().toISOString(),
      team,
      body,
    },
    identity.privateKey!,
  )
  const id = recordId(record)
  db.prepare(
    "INSERT INTO signed_records (id, author, seq, type, at, model, record_json, origin, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'imported', ?)",
  ).run(
    id,
    record.author,
    record.seq,
    record.type,
    record.at,
    (body.model as string) ?? null,
    canonicalJson(record),
    record.at,
  )
  return id
}

const rootOf = (db: Database.Database): string =>
  (db.prepare('SELECT root FROM team_link').get() as { root: string }).root

function verify(home: string): {
  status: number | null
  ok: boolean
  problems: { record: string | null; problem: string }[]
} {
  const run = runCli(['--home', home, '--json', 'audit', 'verify'])
  const out = run.json() as { ok: boolean; problems: { record: string | null; problem: string }[] }
  return { status: run.status, ...out }
}

describe('audit verify', () => {
  it('an untouched copy verifies (exit 0)', () => {
    const { home, db } = copyOfAna()
    db.close()
    const r = verify(home)
    expect(r).toMatchObject({ status: 0, ok: true, problems: [] })
  })

  it('an edited record', () => {
    const { home, db } = copyOfAna()
    const reg = rowsOf(db, ana.fingerprint).find((r) =>
      r.record_json.includes('"type":"version.register"'),
    )!
    db.prepare('UPDATE signed_records SET record_json = ? WHERE rowid = ?').run(
      reg.record_json.replace('"size":609', '"size":610'),
      reg.rowid,
    )
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems[0]!.record).toBe(reg.id)
    expect(r.problems.map((p) => p.problem).join('\n')).toContain('the record was edited')
  })

  it('a record deleted in the middle of the chain', () => {
    const { home, db } = copyOfAna()
    const rows = rowsOf(db, ana.fingerprint)
    const victim = rows[Math.floor(rows.length / 2)]!
    db.prepare('DELETE FROM signed_records WHERE rowid = ?').run(victim.rowid)
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems[0]!.problem).toContain(`seq ${victim.seq + 1} follows seq ${victim.seq - 1}`)
    expect(r.problems[0]!.problem).toContain('missing (deleted)')
  })

  it('reordered records', () => {
    const { home, db } = copyOfAna()
    const rows = rowsOf(db, ana.fingerprint)
    const [a, b] = [rows[3]!, rows[4]!]
    const swap = db.transaction(() => {
      db.prepare('UPDATE signed_records SET rowid = -1 WHERE rowid = ?').run(a.rowid)
      db.prepare('UPDATE signed_records SET rowid = ? WHERE rowid = ?').run(a.rowid, b.rowid)
      db.prepare('UPDATE signed_records SET rowid = ? WHERE rowid = -1').run(b.rowid)
    })
    swap()
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems.map((p) => p.problem).join('\n')).toContain('records were reordered')
  })

  it('a record moved to another seq (re-dated order) is caught by its signature', () => {
    const { home, db } = copyOfAna()
    const rows = rowsOf(db, ana.fingerprint)
    const [a, b] = [rows[3]!, rows[4]!]
    const ja = JSON.parse(a.record_json) as SignedRecord
    const jb = JSON.parse(b.record_json) as SignedRecord
    db.transaction(() => {
      db.prepare('UPDATE signed_records SET seq = -1 WHERE rowid = ?').run(a.rowid)
      db.prepare('UPDATE signed_records SET record_json = ?, seq = ? WHERE rowid = ?').run(
        canonicalJson({ ...jb, seq: ja.seq, prev: ja.prev }),
        ja.seq,
        b.rowid,
      )
      db.prepare('UPDATE signed_records SET record_json = ?, seq = ? WHERE rowid = ?').run(
        canonicalJson({ ...ja, seq: jb.seq, prev: jb.prev }),
        jb.seq,
        a.rowid,
      )
    })()
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems.map((p) => p.problem).join('\n')).toMatch(
      /signature does not verify|was edited/,
    )
  })

  it('an approval signed by a non-approver (a viewer, with their real key)', () => {
    const { home, db } = copyOfAna()
    const id = insertSigned(
      db,
      dan.home,
      'request.approve',
      { requestId: pendingRequest, comment: 'lgtm' },
      rootOf(db),
    )
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    const p = r.problems.find((x) => x.record === id)!
    expect(p.problem).toMatch(/Dan is viewer .*request.approve needs approver/)
  })

  it('an approval signed by the requester', () => {
    const { home, db } = copyOfAna()
    const id = insertSigned(
      db,
      ana.home,
      'request.approve',
      { requestId: pendingRequest, comment: 'mine' },
      rootOf(db),
    )
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems.find((x) => x.record === id)!.problem).toContain(
      'approved by the requester (four eyes)',
    )
  })

  it('a forged alias move: the alias row edited', () => {
    const { home, db } = copyOfAna()
    db.prepare(
      "UPDATE aliases SET version_id = (SELECT id FROM model_versions WHERE version = 2) WHERE alias = 'production'",
    ).run()
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems.map((p) => p.problem).join('\n')).toContain('points at v2')
    expect(r.problems.map((p) => p.problem).join('\n')).toContain('a forged alias move')
  })

  it('a forged alias move: signed, but without an approved request', () => {
    const { home, db } = copyOfAna()
    const sha = (
      db.prepare('SELECT sha256 FROM model_versions WHERE version = 2').get() as { sha256: string }
    ).sha256
    const id = insertSigned(
      db,
      ana.home,
      'alias.set',
      {
        model: 'churn',
        alias: 'production',
        versionSha256: sha,
        localVersion: 2,
        requestId: pendingRequest,
      },
      rootOf(db),
    )
    db.prepare(
      "UPDATE aliases SET version_id = (SELECT id FROM model_versions WHERE version = 2) WHERE alias = 'production'",
    ).run()
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems.find((x) => x.record === id)!.problem).toContain(
      'moves protected alias "production" of churn with 0 valid approval(s)',
    )
  })

  it('a replaced policy: an edited policy document', () => {
    const { home, db } = copyOfAna()
    // Version 3 added Dan as a viewer; make him an approver.
    const v3 = db.prepare('SELECT id, doc_json FROM policies WHERE version = 3').get() as {
      id: string
      doc_json: string
    }
    expect(v3.doc_json).toContain('"roles":["viewer"]')
    db.prepare('UPDATE policies SET doc_json = ? WHERE id = ?').run(
      v3.doc_json.replace('"roles":["viewer"]', '"roles":["approver"]'),
      v3.id,
    )
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    expect(r.problems[0]!.problem).toContain('policy version 3: the signature does not verify')
  })

  it('a replaced policy: a whole new chain from another root, re-pinned in the database', () => {
    const { home, db } = copyOfAna()
    const mallory = createIdentity(tempHome('slipway-mallory-').dir, {
      name: 'Mallory',
      email: 'm@example.com',
    })
    const v1 = JSON.parse(
      (db.prepare('SELECT doc_json FROM policies WHERE version = 1').get() as { doc_json: string })
        .doc_json,
    ) as SignedRecord
    const fake = signRecord(
      {
        ...v1,
        author: mallory.info.fingerprint,
        body: {
          ...v1.body,
          members: [
            {
              name: 'Mallory',
              email: 'm@example.com',
              publicKey: mallory.info.publicKey,
              roles: ['admin'],
            },
          ],
        },
      },
      mallory.privateKey!,
    )
    db.transaction(() => {
      db.prepare('DELETE FROM policies').run()
      db.prepare('INSERT INTO policies (id, version, at, doc_json) VALUES (?, 1, ?, ?)').run(
        recordId(fake),
        fake.at,
        canonicalJson(fake),
      )
      db.prepare('UPDATE team_link SET root = ?').run(recordId(fake))
    })()
    db.close()
    const r = verify(home)
    expect(r.status).toBe(5)
    const all = r.problems.map((p) => p.problem).join('\n')
    expect(all).toContain('differs from identity/team-root')
    expect(all).toContain('a replaced policy')
  })

  it('an edited unsigned row from before the identity', async () => {
    // A home used without identity, then given one: its old rows are anchored.
    const h = tempHome('slipway-legacy-')
    copies.push(h.cleanup)
    expect(runCli(['--home', h.dir, 'register', models.linear, '--model', 'churn']).status).toBe(0)
    expect(
      runCli(['--home', h.dir, 'identity', 'init', '--name', 'Ana', '--email', 'a@example.com'])
        .status,
    ).toBe(0)
    expect(verify(h.dir)).toMatchObject({ status: 0, ok: true })
    const db = new Database(path.join(h.dir, 'registry.sqlite'))
    db.prepare("UPDATE audit_events SET actor = 'mallory' WHERE id = 1").run()
    db.close()
    const r = verify(h.dir)
    expect(r.status).toBe(5)
    expect(r.problems[0]).toMatchObject({ record: 'legacy:1' })
    // Deleting the newest unsigned row is caught by the identity's anchor.
    const h2 = tempHome('slipway-legacy2-')
    copies.push(h2.cleanup)
    expect(runCli(['--home', h2.dir, 'register', models.linear, '--model', 'churn']).status).toBe(0)
    expect(
      runCli(['--home', h2.dir, 'identity', 'init', '--name', 'Ana', '--email', 'a@example.com'])
        .status,
    ).toBe(0)
    const db2 = new Database(path.join(h2.dir, 'registry.sqlite'))
    db2.prepare('DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)').run()
    db2.close()
    const r2 = verify(h2.dir)
    expect(r2.status).toBe(5)
    expect(r2.problems[0]!.problem).toContain('unsigned audit row(s) this identity anchored')
  })

  it('prints the first bad record in words without --json', () => {
    const { home, db } = copyOfAna()
    db.prepare(
      "UPDATE aliases SET version_id = (SELECT id FROM model_versions WHERE version = 2) WHERE alias = 'production'",
    ).run()
    db.close()
    const run = runCli(['--home', home, 'audit', 'verify'])
    expect(run.status).toBe(5)
    expect(run.stdout).toMatch(
      /^Verification failed: 1 problem\(s\)\. First: record [0-9a-f]{12}: alias "production"/,
    )
    expect(appliedRequest).not.toBe('')
  })
})
