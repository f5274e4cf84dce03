// Where signed records live in a home: append this home's own (signed with its identity, next
// in its seq chain, in the caller's transaction), import others' (verified before anything is
// written), and keep the derived tables (requests, decisions, cards) in step with the records.
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { SlipwayError } from '../../api/errors'
import type { Actor, CoreContext } from '../context'
import { canonicalJson, type Signable } from './canonical'
import { identityDir, shortFingerprint, type LoadedIdentity } from './identity'
import type { PolicyDocument } from './policy'
import { recordId, signRecord, type SignedRecord } from './records'
import { verifyRecords, type VerifyProblem } from './verify'

export interface StoredRecord {
  id: string
  record: SignedRecord
  origin: 'local' | 'imported'
}

interface RecordRow {
  rowid: number
  id: string
  author: string
  seq: number
  type: string
  at: string
  model: string | null
  record_json: string
  origin: 'local' | 'imported'
}

/** The identity that signs this home's records, unlocked; throws when it is locked. */
export function signingIdentity(
  core: CoreContext,
): LoadedIdentity & { privateKey: NonNullable<LoadedIdentity['privateKey']> } {
  const identity = core.identity
  if (!identity)
    throw new SlipwayError(
      'NOT_FOUND',
      'This home has no identity yet: run `slipway identity init --name NAME --email EMAIL`',
    )
  if (!identity.privateKey)
    throw new SlipwayError(
      'UNAUTHORIZED',
      `The private key of ${identity.info.name} (${shortFingerprint(identity.info.fingerprint)}) is locked: set SLIPWAY_PASSPHRASE for a passphrase-protected key, or sign from the Slipway app when its OS keychain sealed it`,
    )
  return identity as ReturnType<typeof signingIdentity>
}

/** The root this home pinned when it joined or made a team, or null for a solo home. */
export function teamRoot(db: Database.Database): string | null {
  return (
    (db.prepare('SELECT root FROM team_link WHERE one = 1').get() as { root: string } | undefined)
      ?.root ?? null
  )
}

/** The pinned root also lives beside the key, outside the SQLite file, so it can be compared. */
export const pinnedRootFile = (home: string): string => path.join(identityDir(home), 'team-root')

export function readPinnedRootFile(home: string): string | null {
  try {
    return fs.readFileSync(pinnedRootFile(home), 'utf8').trim() || null
  } catch {
    return null
  }
}

/** The model a record is about: its own, or its request's (decisions name only the request). */
function modelOf(db: Database.Database, record: SignedRecord): string | null {
  if (typeof record.body.model === 'string') return record.body.model
  if (typeof record.body.requestId !== 'string') return null
  const request = db
    .prepare('SELECT model FROM signed_records WHERE id = ?')
    .get(record.body.requestId) as { model: string | null } | undefined
  return request?.model ?? null
}

function insertRecord(
  db: Database.Database,
  id: string,
  record: SignedRecord,
  origin: 'local' | 'imported',
): void {
  db.prepare(
    `INSERT INTO signed_records (id, author, seq, type, at, model, record_json, origin, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    record.author,
    record.seq,
    record.type,
    record.at,
    modelOf(db, record),
    canonicalJson(record),
    origin,
    new Date().toISOString(),
  )
}

/**
 * Signs and stores one record of this home's identity, next in its chain, and applies it to the
 * derived tables. Call inside the transaction that makes the change.
 */
export function appendSigned(
  core: CoreContext,
  actor: Actor,
  type: string,
  body: { [key: string]: Signable },
  /** A record that answers another (a decision on a request) is never dated before it, even
   * when this laptop's clock runs behind the other's. */
  notBefore?: string,
): StoredRecord {
  const { db } = core
  if (!db.inTransaction)
    return db.transaction(() => appendSigned(core, actor, type, body, notBefore)).immediate()
  const identity = signingIdentity(core)
  const me = identity.info.fingerprint
  if (actor.fingerprint && actor.fingerprint !== me)
    throw new SlipwayError(
      'UNAUTHORIZED',
      `This home signs as ${shortFingerprint(me)}; a call cannot act as ${shortFingerprint(actor.fingerprint)}`,
    )
  const last = db
    .prepare('SELECT id, seq, at FROM signed_records WHERE author = ? ORDER BY seq DESC LIMIT 1')
    .get(me) as { id: string; seq: number; at: string } | undefined
  // A clock set back must not date a record before its predecessor.
  const nowMs = Math.max(
    Date.now(),
    last ? Date.parse(last.at) : 0,
    notBefore ? Date.parse(notBefore) : 0,
  )
  const record = signRecord(
    {
      v: 1,
      type,
      author: me,
      seq: (last?.seq ?? 0) + 1,
      prev: last?.id ?? null,
      at: new Date(nowMs).toISOString(),
      team: teamRoot(db),
      body,
    },
    identity.privateKey,
  )
  const id = recordId(record)
  insertRecord(db, id, record, 'local')
  applyRecord(db, id, record)
  return { id, record, origin: 'local' }
}

/** Keeps requests, decisions and cards in step with a record that entered the home. */
export function applyRecord(db: Database.Database, id: string, r: SignedRecord): void {
  const b = r.body
  const s = (v: Signable | undefined): string => (typeof v === 'string' ? v : '')
  switch (r.type) {
    case 'request.create':
      db.prepare(
        `INSERT OR IGNORE INTO promotion_requests (id, model, version_sha256, alias, comment, evidence_json, requested_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        s(b.model),
        s(b.versionSha256),
        s(b.alias),
        s(b.comment),
        canonicalJson(b.evidence ?? {}),
        r.author,
        r.at,
      )
      break
    case 'request.approve':
    case 'request.reject':
      if (db.prepare('SELECT 1 FROM promotion_requests WHERE id = ?').get(s(b.requestId)))
        db.prepare(
          'INSERT OR IGNORE INTO request_decisions (record_id, request_id, decision, by, comment, at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          id,
          s(b.requestId),
          r.type === 'request.approve' ? 'approve' : 'reject',
          r.author,
          s(b.comment),
          r.at,
        )
      break
    case 'request.withdraw':
      db.prepare(
        'UPDATE promotion_requests SET withdrawn_at = COALESCE(withdrawn_at, ?) WHERE id = ? AND requested_by = ?',
      ).run(r.at, s(b.requestId), r.author)
      break
    case 'alias.set': {
      const requestId = typeof b.requestId === 'string' ? b.requestId : null
      if (requestId)
        db.prepare(
          'UPDATE promotion_requests SET applied_at = COALESCE(applied_at, ?), applied_by = COALESCE(applied_by, ?) WHERE id = ?',
        ).run(r.at, r.author, requestId)
      // Open requests for this alias that asked for another version are overtaken.
      db.prepare(
        `UPDATE promotion_requests SET superseded_at = ?
         WHERE model = ? AND alias = ? AND version_sha256 != ? AND applied_at IS NULL AND withdrawn_at IS NULL
           AND superseded_at IS NULL AND created_at <= ?`,
      ).run(r.at, s(b.model), s(b.alias), s(b.versionSha256), r.at)
      break
    }
    case 'card.set':
      db.prepare(
        `INSERT INTO model_cards (model, version_sha256, fields_json, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (model, version_sha256) DO UPDATE SET fields_json = excluded.fields_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ).run(s(b.model), s(b.versionSha256), canonicalJson(b.fields ?? {}), r.at, r.author)
      break
    default:
      break
  }
}

/** Every signed record in the order the home received them. */
export function loadRecords(
  db: Database.Database,
  filter: { model?: string } = {},
): (StoredRecord & { rowid: number; row: RecordRow })[] {
  const rows = (
    filter.model
      ? db.prepare('SELECT * FROM signed_records WHERE model = ? ORDER BY rowid').all(filter.model)
      : db.prepare('SELECT * FROM signed_records ORDER BY rowid').all()
  ) as RecordRow[]
  return rows.map((row) => ({
    id: row.id,
    record: JSON.parse(row.record_json) as SignedRecord,
    origin: row.origin,
    rowid: row.rowid,
    row,
  }))
}

export function loadPolicies(db: Database.Database): PolicyDocument[] {
  return (
    db.prepare('SELECT doc_json FROM policies ORDER BY version').all() as { doc_json: string }[]
  ).map((r) => JSON.parse(r.doc_json) as PolicyDocument)
}

export interface ImportBundle {
  policies?: readonly unknown[]
  records: readonly unknown[]
}

export interface ImportResult {
  imported: number
  alreadyPresent: number
  policiesAdded: number
}

/**
 * The one way a record signed elsewhere enters a home: the union of what the home holds and
 * what arrives must verify (signatures, chains, roles, four eyes) against the home's pinned
 * root, else nothing is written and the error names the first problem. Policy versions that
 * extend the home's pinned chain are stored too. A home with no team takes the policy chain
 * only through `team join`.
 */
export function importSignedRecords(core: CoreContext, bundle: ImportBundle): ImportResult {
  const { db } = core
  if (!bundle || !Array.isArray(bundle.records))
    throw new SlipwayError(
      'INVALID_INPUT',
      'An import needs { records: [...] } (and optionally policies)',
    )
  return db
    .transaction((): ImportResult => {
      const root = teamRoot(db)
      const heldPolicies = loadPolicies(db)
      const heldIds = new Set(heldPolicies.map((p) => recordId(p)))
      const newPolicies = root
        ? (bundle.policies ?? []).filter((p) => {
            try {
              return !heldIds.has(recordId(p as SignedRecord))
            } catch {
              return true
            }
          })
        : []
      const held = loadRecords(db)
      const heldRecordIds = new Set(held.map((h) => h.id))
      const incoming: { id: string; record: SignedRecord }[] = []
      let alreadyPresent = 0
      for (const raw of bundle.records) {
        let id: string
        try {
          id = recordId(raw as SignedRecord)
        } catch {
          id = ''
        }
        if (id && heldRecordIds.has(id)) {
          alreadyPresent++
          continue
        }
        incoming.push({ id, record: raw as SignedRecord })
      }
      const report = verifyRecords({
        policies: [...heldPolicies, ...newPolicies],
        records: [...held.map((h) => h.record), ...incoming.map((i) => i.record)],
        pinnedRoot: root,
      })
      const incomingIds = new Set(incoming.map((i) => i.id))
      // Problems the home already had are audit verify's business; refuse only what arrives.
      const relevant = report.problems.filter(
        (p: VerifyProblem) => p.record === null || incomingIds.has(p.record) || p.type === 'policy',
      )
      const [first] = relevant
      if (first) {
        throw new SlipwayError(
          'CONFLICT',
          `Import refused, nothing was written: ${first.record ? `record ${first.record.slice(0, 12)}… (${first.type ?? 'record'} seq ${first.seq ?? '?'}): ` : ''}${first.problem}${relevant.length > 1 ? ` (and ${relevant.length - 1} more problem(s))` : ''}`,
        )
      }
      for (const p of newPolicies.sort(
        (a, b) => (a as PolicyDocument).seq - (b as PolicyDocument).seq,
      ))
        storePolicy(db, p as PolicyDocument)
      // In time order (an author's records never go back in time, so each chain stays in seq
      // order): a decision finds its request, and rowid order follows each chain.
      const ordered = [...incoming].sort(
        (a, b) =>
          Date.parse(a.record.at) - Date.parse(b.record.at) ||
          (a.record.author === b.record.author
            ? a.record.seq - b.record.seq
            : a.record.author < b.record.author
              ? -1
              : 1),
      )
      for (const i of ordered) {
        insertRecord(db, i.id, i.record, 'imported')
        applyRecord(db, i.id, i.record)
      }
      return { imported: ordered.length, alreadyPresent, policiesAdded: newPolicies.length }
    })
    .immediate()
}

export function storePolicy(db: Database.Database, doc: PolicyDocument): string {
  const id = recordId(doc)
  db.prepare('INSERT INTO policies (id, version, at, doc_json) VALUES (?, ?, ?, ?)').run(
    id,
    doc.seq,
    doc.at,
    canonicalJson(doc),
  )
  return id
}
