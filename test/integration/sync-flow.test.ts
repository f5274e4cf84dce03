// The shared store end to end through the built CLI, against a folder and against s3rver on
// 127.0.0.1: three homes (admin, approver, contributor) publish, request, pull, evaluate,
// approve and sync; a fresh home fetches exactly the approved bytes. Then each tampering case
// (edited record, swapped blob, non-member record, forged approval, deleted middle record,
// replaced policy) in a copy of the store is caught by pull, fetch and audit verify --remote.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/core/governance/canonical'
import { loadIdentity } from '../../src/core/governance/identity'
import { recordId, signRecord, type SignedRecord } from '../../src/core/governance/records'
import { blobKey } from '../../src/core/sync/store'
import { fixture } from '../helpers/home'
import { startS3Server, type TestS3Server } from '../helpers/s3'
import { cliIn, json } from '../helpers/cli'
import { folderStore, s3Store, type StoreHandle } from '../helpers/team-store'

let s3: TestS3Server
let work: string

beforeAll(async () => {
  s3 = await startS3Server()
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-flow-'))
})
afterAll(async () => {
  await s3?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

const MODEL_FILE = fixture('models', 'linear_binary.onnx')
const OTHER_FILE = fixture('models', 'regression.onnx')

interface Team {
  store: StoreHandle
  root: string
  homes: { admin: string; approver: string; contributor: string; reader: string }
  requestId: string
}

function publicKeyOf(home: string): string {
  return json<{ publicKey: string }>(cliIn(home)(['--json', 'identity', 'show'])).publicKey
}

async function threeHomes(backend: string, store: StoreHandle): Promise<Team> {
  const base = path.join(work, backend)
  const homes = {
    admin: path.join(base, 'admin'),
    approver: path.join(base, 'approver'),
    contributor: path.join(base, 'contributor'),
    reader: path.join(base, 'reader'),
  }
  const admin = cliIn(homes.admin)
  const approver = cliIn(homes.approver)
  const contributor = cliIn(homes.contributor)
  admin(['identity', 'init', '--name', 'Ada', '--email', 'ada@example.com'])
  approver(['identity', 'init', '--name', 'Bo', '--email', 'bo@example.com'])
  contributor(['identity', 'init', '--name', 'Cy', '--email', 'cy@example.com'])
  admin(['team', 'init', '--name', 'Risk'])
  admin([
    'team',
    'add-member',
    '--public-key',
    publicKeyOf(homes.approver),
    '--name',
    'Bo',
    '--email',
    'bo@example.com',
    '--role',
    'approver',
  ])
  admin([
    'team',
    'add-member',
    '--public-key',
    publicKeyOf(homes.contributor),
    '--name',
    'Cy',
    '--email',
    'cy@example.com',
    '--role',
    'contributor',
  ])
  const root = json<{ rootFingerprint: string }>(admin(['--json', 'team', 'show'])).rootFingerprint

  const added = json<{ initialised: boolean }>(
    admin(['--json', 'remote', 'add', 'team', store.location, ...store.args]),
  )
  expect(added.initialised).toBe(true)
  // Joining without the root fingerprint, or with a wrong one, is refused.
  expect(contributor(['remote', 'add', 'team', store.location, ...store.args], 1).stderr).toMatch(
    /needs --trust/,
  )
  expect(
    contributor(
      ['remote', 'add', 'team', store.location, ...store.args, '--trust', 'a'.repeat(64)],
      1,
    ).stderr,
  ).toMatch(/not to the trusted/)
  expect(
    json<{ joined: boolean }>(
      contributor([
        '--json',
        'remote',
        'add',
        'team',
        store.location,
        ...store.args,
        '--trust',
        root,
      ]),
    ).joined,
  ).toBe(true)
  approver(['remote', 'add', 'team', store.location, ...store.args, '--trust', root])

  // The contributor registers, requests production and syncs: the version travels under request.
  contributor(['register', MODEL_FILE, '--model', 'churn'])
  contributor(['register', OTHER_FILE, '--model', 'draft-only'])
  contributor(['request', 'churn@1', '--alias', 'production', '--comment', 'ready'])
  const synced = json<{ pushed: { model: string; version: number }[] }>(
    contributor(['--json', 'sync']),
  )
  expect(synced.pushed.map((p) => `${p.model}#${p.version}`)).toEqual(['churn#1'])

  // The approver pulls, evaluates offline, approves and syncs.
  const pulled = json<{ versions: number; rejected: unknown[] }>(approver(['--json', 'pull']))
  expect(pulled).toMatchObject({ versions: 1, rejected: [] })
  const requests = json<{ id: string; status: string }[]>(approver(['--json', 'requests']))
  expect(requests).toHaveLength(1)
  const requestId = requests[0]!.id
  approver([
    'evaluate',
    'churn@1',
    '--data',
    fixture('data', 'linear_binary-eval.csv'),
    '--label',
    'label',
  ])
  approver(['approve', requestId, '--comment', 'metrics hold'])
  approver(['sync'])

  // The contributor applies the approved request; the admin pulls everything.
  contributor(['pull'])
  contributor(['alias', 'set', 'churn@1', 'production'])
  contributor(['sync'])
  const adminPull = json<{ versions: number; rejected: unknown[] }>(admin(['--json', 'pull']))
  expect(adminPull).toMatchObject({ versions: 1, rejected: [] })
  const versions = json<{ version: number; aliases: string[] }[]>(
    admin(['--json', 'versions', 'churn']),
  )
  expect(versions).toHaveLength(1)
  expect(versions[0]!.aliases).toEqual(['production'])
  // A draft stays on the contributor's laptop: no one else has it.
  expect(admin(['versions', 'draft-only'], 1).stderr).toMatch(/draft-only/)
  // A viewer who has read nothing yet: the tampering tests pull as copies of this home.
  cliIn(homes.reader)(['identity', 'init', '--name', 'Vi', '--email', 'vi@example.com'])
  admin([
    'team',
    'add-member',
    '--public-key',
    publicKeyOf(homes.reader),
    '--name',
    'Vi',
    '--email',
    'vi@example.com',
    '--role',
    'viewer',
  ])
  admin(['sync'])
  return { store, root, homes, requestId }
}

function fetchTo(team: Team, store: StoreHandle, out: string) {
  return cliIn(path.join(work, 'no-home'))(
    [
      '--json',
      'fetch',
      'churn@production',
      '--remote',
      store.location,
      ...store.args,
      '--trust',
      team.root,
      '--out',
      out,
    ],
    null,
  )
}

async function tamperCases(team: Team): Promise<[string, (s: StoreHandle) => Promise<void>][]> {
  const keys = await team.store.keys('records/')
  const contributorFp = loadIdentity(team.homes.contributor)!.info.fingerprint
  const approverFp = loadIdentity(team.homes.approver)!.info.fingerprint
  const approverKeys = keys.filter((k) => k.includes(approverFp))
  const lastApproverKey = approverKeys[approverKeys.length - 1]!
  const readRecord = async (s: StoreHandle, key: string): Promise<SignedRecord> =>
    JSON.parse((await s.read(key))!.toString()) as SignedRecord
  return [
    [
      'an edited record',
      async (s) => {
        const r = await readRecord(s, lastApproverKey)
        r.body = { ...r.body, comment: 'edited after signing' }
        await s.overwrite(lastApproverKey, Buffer.from(canonicalJson(r)))
      },
    ],
    [
      'a swapped blob',
      async (s) => {
        const sha = (await s.keys('blobs/'))[0]!.split('/').pop()!
        await s.overwrite(blobKey(sha), fs.readFileSync(OTHER_FILE))
      },
    ],
    [
      'a record signed by a non-member',
      async (s) => {
        const mallory = path.join(work, `mallory-${Math.random().toString(36).slice(2)}`)
        cliIn(mallory)(['identity', 'init', '--name', 'Mal', '--email', 'mal@example.com'])
        const id = loadIdentity(mallory)!
        const move = (await readRecord(
          s,
          keys.filter((k) => k.includes(contributorFp)).pop()!,
        )) as SignedRecord
        const forged = signRecord(
          {
            v: 1,
            type: 'alias.set',
            author: id.info.fingerprint,
            seq: 1,
            prev: null,
            at: new Date().toISOString(),
            team: team.root,
            body: { ...move.body, versionSha256: 'f'.repeat(64) },
          },
          id.privateKey!,
        )
        await s.overwrite(
          `records/${id.info.fingerprint}/0000000001.json`,
          Buffer.from(canonicalJson(forged)),
        )
      },
    ],
    [
      'a forged approval',
      async (s) => {
        const last = await readRecord(s, lastApproverKey)
        const contributorKey = loadIdentity(team.homes.contributor)!.privateKey!
        const forged = signRecord(
          {
            v: 1,
            type: 'request.approve',
            author: approverFp,
            seq: last.seq + 1,
            prev: recordId(last),
            at: new Date().toISOString(),
            team: team.root,
            body: { requestId: team.requestId, comment: 'forged' },
          },
          contributorKey,
        )
        await s.overwrite(
          `records/${approverFp}/${String(last.seq + 1).padStart(10, '0')}.json`,
          Buffer.from(canonicalJson(forged)),
        )
      },
    ],
    [
      'a deleted record in the middle of a sequence',
      async (s) => {
        await s.remove(`records/${contributorFp}/0000000002.json`)
      },
    ],
    [
      'a replaced policy',
      async (s) => {
        const other = path.join(work, `other-team-${Math.random().toString(36).slice(2)}`)
        cliIn(other)(['identity', 'init', '--name', 'Eve', '--email', 'eve@example.com'])
        cliIn(other)(['team', 'init', '--name', 'Risk'])
        const db = (await import('better-sqlite3')).default
        const handle = new db(path.join(other, 'registry.sqlite'), { readonly: true })
        const doc = (
          handle.prepare('SELECT doc_json FROM policies WHERE version = 1').get() as {
            doc_json: string
          }
        ).doc_json
        handle.close()
        await s.overwrite('policy/0000000001.json', Buffer.from(doc))
      },
    ],
  ]
}

describe.each([
  ['folder', () => folderStore(path.join(work, 'folder-store'))],
  ['s3', () => s3Store(s3, 'flow')],
])('shared store on %s', (backend, makeStore) => {
  let team: Team

  it('three homes: publish, request, pull, evaluate, approve, sync; a fresh home fetches the approved bytes', async () => {
    team = await threeHomes(backend, makeStore())
    const out = path.join(work, `${backend}-fetched.onnx`)
    const run = fetchTo(team, team.store, out)
    expect(run.status, run.stderr).toBe(0)
    expect(
      json<{ model: string; version: number; approvedBy: string[]; verified: boolean }>(run),
    ).toMatchObject({
      model: 'churn',
      version: 1,
      alias: 'production',
      approvedBy: ['Bo'],
      verified: true,
    })
    expect(fs.readFileSync(out).equals(fs.readFileSync(MODEL_FILE))).toBe(true)
    const audit = cliIn(team.homes.admin)(['--json', 'audit', 'verify', '--remote', 'team'])
    expect(json<{ ok: boolean }>(audit).ok).toBe(true)
    // Without --trust a location is not trusted at all.
    const untrusted = cliIn(path.join(work, 'no-home'))(
      [
        'fetch',
        'churn@production',
        '--remote',
        team.store.location,
        ...team.store.args,
        '--out',
        out,
      ],
      1,
    )
    expect(untrusted.stderr).toMatch(/needs --trust/)
  }, 600_000)

  it('detects each kind of tampering in pull, fetch and audit verify --remote', async () => {
    let n = 0
    for (const [what, tamper] of await tamperCases(team)) {
      const copy = await team.store.copy(`${backend}-tampered-${++n}`)
      // Homes that know this store before the attack: the admin, and a member who has read nothing.
      const admin = cliIn(team.homes.admin)
      admin(['remote', 'add', `copy${n}`, copy.location, ...copy.args])
      const fresh = path.join(work, `${backend}-reader-${n}`)
      fs.cpSync(team.homes.reader, fresh, { recursive: true })
      cliIn(fresh)(['remote', 'add', 'team', copy.location, ...copy.args, '--trust', team.root])
      await tamper(copy)
      // fetch: exit 5, nothing written.
      const out = path.join(work, `${backend}-tampered-${n}.onnx`)
      const fetched = fetchTo(team, copy, out)
      expect(fetched.status, `${what}: fetch ${fetched.stdout}`).toBe(5)
      expect(fs.existsSync(out), what).toBe(false)
      // audit verify --remote: exit 5 with the problem listed.
      const audit = admin(['--json', 'audit', 'verify', '--remote', `copy${n}`], 5)
      expect(
        json<{ ok: boolean; problems: unknown[] }>(audit).problems.length,
        what,
      ).toBeGreaterThan(0)
      // pull: the bad objects are rejected with reasons, the rest is applied.
      const pulled = json<{ rejected: { object: string; reason: string }[] }>(
        cliIn(fresh)(['--json', 'pull']),
      )
      expect(pulled.rejected.length, `${what}: pull ${JSON.stringify(pulled)}`).toBeGreaterThan(0)
      // A newcomer cannot join a store whose policy was replaced.
      if (what === 'a replaced policy') {
        const newcomer = path.join(work, `${backend}-newcomer`)
        fs.cpSync(team.homes.reader, newcomer, { recursive: true })
        const refused = cliIn(newcomer)(
          ['remote', 'add', 'team', copy.location, ...copy.args, '--trust', team.root],
          1,
        )
        expect(refused.stderr).toMatch(/does not verify/)
      }
    }
  }, 600_000)
})
