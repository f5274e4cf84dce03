// Governance costs: `audit verify` over 100,000 signed records in a real home (records/s), against
// bare Ed25519 verification of the same records in the same run; and what signing adds to a
// registration, against the same registration in a home without an identity.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { canonicalBytes, canonicalJson } from '../src/core/governance/canonical'
import { parsePublicKey } from '../src/core/governance/identity'
import { recordId, signRecord, type SignedRecord } from '../src/core/governance/records'
import { verifyHome } from '../src/core/governance/trail'
import { Slipway } from '../src/core/service'

const RECORDS = 100_000
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-gov-'))

async function verifyBench(): Promise<void> {
  const home = tmp()
  const slipway = new Slipway({ home })
  const me = await slipway.call('identity:init', { name: 'Ana', email: 'ana@example.com' })
  const db = slipway.core.db
  const others = [0, 1].map(() => crypto.generateKeyPairSync('ed25519'))
  const authors = [
    { key: slipway.core.identity!.privateKey!, fp: me.fingerprint, text: me.publicKey },
    ...others.map((k) => {
      const x = (k.publicKey.export({ format: 'jwk' }) as { x: string }).x
      const text = `ed25519:${x}`
      return { key: k.privateKey, fp: parsePublicKey(text).fingerprint, text }
    }),
  ]
  const last = new Map<string, { id: string; seq: number }>()
  const existing = db
    .prepare('SELECT id, seq FROM signed_records WHERE author = ?')
    .get(me.fingerprint) as { id: string; seq: number }
  last.set(me.fingerprint, existing)
  const insert = db.prepare(
    "INSERT INTO signed_records (id, author, seq, type, at, model, record_json, origin, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'imported', ?)",
  )
  const records: SignedRecord[] = []
  let t = performance.now()
  // After Ana's identity.init (now): an author's records never go back in time.
  const start = Date.now() + 1000
  db.transaction(() => {
    for (let i = 0; records.length < RECORDS - 1; i++) {
      const a = authors[i % 3]!
      const prev = last.get(a.fp)
      const seq = (prev?.seq ?? 0) + 1
      const body: SignedRecord['body'] =
        seq === 1
          ? { name: `P${i}`, email: 'p@example.com', publicKey: a.text, legacy: null }
          : {
              model: `m${i % 50}`,
              versionSha256: null,
              localVersion: null,
              details: { key: `k${i % 7}`, value: String(i) },
            }
      const r = signRecord(
        {
          v: 1,
          type: seq === 1 ? 'identity.init' : 'tag.set',
          author: a.fp,
          seq,
          prev: prev?.id ?? null,
          at: new Date(start + i).toISOString(),
          team: null,
          body,
        },
        a.key,
      )
      const id = recordId(r)
      insert.run(
        id,
        r.author,
        r.seq,
        r.type,
        r.at,
        (body as { model?: string }).model ?? null,
        canonicalJson(r),
        r.at,
      )
      last.set(a.fp, { id, seq })
      records.push(r)
    }
  })()
  const signMs = performance.now() - t

  // Baseline: bare Ed25519 verification of the same records' canonical bytes.
  const keys = new Map(authors.map((a) => [a.fp, parsePublicKey(a.text).key]))
  t = performance.now()
  for (const r of records) {
    const { sig, ...unsigned } = r
    if (
      !crypto.verify(
        null,
        canonicalBytes(unsigned),
        keys.get(r.author)!,
        Buffer.from(sig, 'base64url'),
      )
    )
      throw new Error('bad')
  }
  const bareMs = performance.now() - t

  const runs: number[] = []
  let count = 0
  for (let i = 0; i < 3; i++) {
    t = performance.now()
    const result = verifyHome(slipway.core)
    runs.push(performance.now() - t)
    if (!result.ok) throw new Error(`expected a clean trail: ${result.summary}`)
    count = result.records
  }
  const verifyMs = median(runs)
  console.log(
    `records: ${count} signed by 3 identities (written in ${(signMs / 1000).toFixed(1)} s)`,
  )
  console.log(
    `bare Ed25519 verify:   ${(count / (bareMs / 1000)).toFixed(0)} records/s (${bareMs.toFixed(0)} ms)`,
  )
  console.log(
    `slipway audit verify:  ${(count / (verifyMs / 1000)).toFixed(0)} records/s (${verifyMs.toFixed(0)} ms, median of 3: read, canonicalize, hash, verify, chains, roles)`,
  )
  console.log(`ratio audit verify / bare verify: ${(verifyMs / bareMs).toFixed(2)}x`)
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
}

async function registrationBench(): Promise<void> {
  const model = path.resolve('test/fixtures/models/linear_binary.onnx')
  const tree = path.resolve('test/fixtures/models/tree_ensemble.onnx')
  const plainHome = tmp()
  const signedHome = tmp()
  const plain = new Slipway({ home: plainHome, actor: 'bench' })
  const signed = new Slipway({ home: signedHome })
  await signed.call('identity:init', { name: 'Ana', email: 'ana@example.com' })
  const plainRuns: number[] = []
  const signedRuns: number[] = []
  for (let i = 0; i < 31; i++) {
    for (const [s, runs] of [
      [plain, plainRuns],
      [signed, signedRuns],
    ] as const) {
      const t = performance.now()
      await s.call('registry:register', {
        file: { path: i % 2 ? tree : model },
        model: `m${i}`,
        hyperparameters: [{ key: 'C', value: '1.0' }],
      })
      if (i > 0) runs.push(performance.now() - t) // the first warms ONNX Runtime
    }
  }
  const p = median(plainRuns)
  const s = median(signedRuns)
  console.log(`register (small fixture models), no identity: ${p.toFixed(1)} ms (median of 30)`)
  console.log(`register (same), signed records:              ${s.toFixed(1)} ms (median of 30)`)
  console.log(
    `ratio signed/unsigned registration: ${(s / p).toFixed(3)}x (signing adds ${(((s - p) / p) * 100).toFixed(1)}%)`,
  )
  plain.close()
  signed.close()
  fs.rmSync(plainHome, { recursive: true, force: true })
  fs.rmSync(signedHome, { recursive: true, force: true })
}

/** One record: signed (canonicalize, Ed25519, hash, insert) against the unsigned hash chain. */
async function perRecordBench(): Promise<void> {
  const { appendAudit } = await import('../src/core/governance/audit')
  const homes = [tmp(), tmp()]
  const plain = new Slipway({ home: homes[0], actor: 'bench' })
  const signed = new Slipway({ home: homes[1] })
  await signed.call('identity:init', { name: 'Ana', email: 'ana@example.com' })
  const N = 5000
  const time = (s: Slipway): number => {
    const t = performance.now()
    s.core.db.transaction(() => {
      for (let i = 0; i < N; i++)
        appendAudit(s.core, s.core.homeActor(), {
          action: 'tag.set',
          details: { key: 'k', value: String(i), score: 0.5 },
        })
    })()
    return ((performance.now() - t) * 1000) / N
  }
  time(plain)
  time(signed)
  const p = time(plain)
  const q = time(signed)
  console.log(
    `one audit record, unsigned hash chain: ${p.toFixed(0)} µs; signed record: ${q.toFixed(0)} µs (${(q / p).toFixed(2)}x)`,
  )
  plain.close()
  signed.close()
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true })
}

async function main(): Promise<void> {
  await perRecordBench()
  await registrationBench()
  await verifyBench()
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
}

void main()
