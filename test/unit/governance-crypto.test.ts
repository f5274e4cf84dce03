// Canonical JSON (RFC 8785), identities (keys, fingerprints, passphrase), signed records and the
// pure verifier, with real Ed25519 keys.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalJson, toSignable } from '../../src/core/governance/canonical'
import {
  createIdentity,
  loadIdentity,
  parsePublicKey,
  shortFingerprint,
} from '../../src/core/governance/identity'
import {
  recordId,
  signRecord,
  verifyRecordSignature,
  type SignedRecord,
} from '../../src/core/governance/records'
import { verifyRecords } from '../../src/core/governance/verify'
import { tempHome } from '../helpers/home'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
const home = (): string => {
  const h = tempHome()
  cleanups.push(h.cleanup)
  return h.dir
}

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and escapes as JCS does', () => {
    // RFC 8785 section 3.2.3's sorting example (keys only; its values are floats, which we refuse).
    const keys = {
      '\u20ac': 1,
      '\r': 2,
      '\ufb33': 3,
      '1': 4,
      '\ud83d\ude00': 5,
      '\u0080': 6,
      '\u00f6': 7,
    }
    expect(canonicalJson(keys)).toBe(
      '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\ud83d\ude00":5,"\ufb33":3}',
    )
    expect(canonicalJson({ b: [1, 'x', null, true], a: { d: '\u001f"\\/', c: -0 } })).toBe(
      '{"a":{"c":0,"d":"\\u001f\\"\\\\/"},"b":[1,"x",null,true]}',
    )
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}')
  })
  it('refuses floats and non-plain values instead of writing a second form', () => {
    expect(() => canonicalJson({ auc: 0.91 })).toThrow('$.auc: 0.91 is not a safe integer')
    expect(() => canonicalJson({ n: 2 ** 60 })).toThrow('not a safe integer')
    expect(() => canonicalJson({ d: new Date(0) })).toThrow('only plain objects')
    expect(toSignable({ auc: 0.91, n: 3, nested: [1.5, undefined, null] })).toEqual({
      auc: '0.91',
      n: 3,
      nested: ['1.5', null, null],
    })
  })
})

describe('identity', () => {
  it('public-key text and fingerprint as TRUST.md says; private key 0600', () => {
    const dir = home()
    const id = createIdentity(dir, { name: 'Ana', email: 'ana@example.com' })
    const raw = Buffer.from(id.info.publicKey.slice('ed25519:'.length), 'base64url')
    expect(raw).toHaveLength(32)
    expect(id.info.fingerprint).toBe(crypto.createHash('sha256').update(raw).digest('hex'))
    expect(parsePublicKey(id.info.publicKey).fingerprint).toBe(id.info.fingerprint)
    expect(shortFingerprint('3f2a9c0177de0b45aaaa')).toBe('3f2a 9c01 77de 0b45')
    const keyFile = path.join(dir, 'identity', 'private.pem')
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(() => createIdentity(dir, { name: 'Ana', email: 'ana@example.com' })).toThrow(
      'already has an identity',
    )
    // A key others can read is refused.
    fs.chmodSync(keyFile, 0o644)
    expect(() => loadIdentity(dir)).toThrow('chmod 600')
  })
  it('a passphrase-protected key: scrypt + AES-256-GCM, locked without it, refused with a wrong one', () => {
    const dir = home()
    const id = createIdentity(dir, {
      name: 'Ana',
      email: 'ana@example.com',
      passphrase: 'correct horse battery',
    })
    const text = fs.readFileSync(path.join(dir, 'identity', 'private.pem'), 'utf8')
    expect(text).toContain('SLIPWAY ENCRYPTED PRIVATE KEY')
    expect(text).not.toContain('PRIVATE KEY-----\nMC4') // no plain PKCS#8
    expect(loadIdentity(dir)!.privateKey).toBeNull()
    expect(() => loadIdentity(dir, 'wrong passphrase')).toThrow('Wrong passphrase')
    const unlocked = loadIdentity(dir, 'correct horse battery')!
    const rec = signRecord(
      {
        v: 1,
        type: 't',
        author: id.info.fingerprint,
        seq: 1,
        prev: null,
        at: '2026-01-01T00:00:00.000Z',
        team: null,
        body: {},
      },
      unlocked.privateKey!,
    )
    expect(verifyRecordSignature(rec, parsePublicKey(id.info.publicKey).key)).toBe(true)
  })
  it('a key sealed by the face (safeStorage in the app) opens only with that protector', () => {
    // safeStorage needs a running Electron and an OS keychain; a stand-in sealed with a key held
    // in memory checks the file format and the refusals.
    const secret = crypto.randomBytes(32)
    const seal = (name: string) => ({
      name,
      encrypt: (plain: Buffer): Buffer => {
        const iv = crypto.randomBytes(12)
        const c = crypto.createCipheriv('aes-256-gcm', secret, iv)
        const body = Buffer.concat([c.update(plain), c.final()])
        return Buffer.concat([iv, c.getAuthTag(), body])
      },
      decrypt: (sealed: Buffer): Buffer => {
        const d = crypto.createDecipheriv('aes-256-gcm', secret, sealed.subarray(0, 12))
        d.setAuthTag(sealed.subarray(12, 28))
        return Buffer.concat([d.update(sealed.subarray(28)), d.final()])
      },
    })
    const dir = home()
    const id = createIdentity(dir, { name: 'Ana', email: 'ana@example.com' }, seal('keychain'))
    expect(fs.readFileSync(path.join(dir, 'identity', 'private.pem'), 'utf8')).toContain(
      'SLIPWAY PROTECTED PRIVATE KEY',
    )
    expect(loadIdentity(dir)!.privateKey).toBeNull() // the CLI cannot open it
    expect(() => loadIdentity(dir, undefined, seal('other'))).toThrow(
      'sealed by keychain, not other',
    )
    const opened = loadIdentity(dir, undefined, seal('keychain'))!
    expect(opened.info).toMatchObject({ fingerprint: id.info.fingerprint, encrypted: true })
    expect(opened.privateKey).not.toBeNull()
  })
  it('refuses malformed public keys with a message naming the problem', () => {
    expect(() => parsePublicKey('ssh-ed25519 AAAA')).toThrow('does not start with "ed25519:"')
    expect(() => parsePublicKey('ed25519:abc')).toThrow('not 32 bytes')
  })
})

describe('signed records and verifyRecords', () => {
  const keys = () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
    const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x
    const raw = Buffer.from(x, 'base64url')
    return {
      privateKey,
      publicKeyText: `ed25519:${x}`,
      fp: crypto.createHash('sha256').update(raw).digest('hex'),
    }
  }
  const chainOf = (k: ReturnType<typeof keys>, n: number): SignedRecord[] => {
    const out: SignedRecord[] = []
    for (let seq = 1; seq <= n; seq++) {
      const body: SignedRecord['body'] =
        seq === 1
          ? { name: 'A', email: 'a@x', publicKey: k.publicKeyText }
          : { model: 'm', details: { i: seq } }
      const r = signRecord(
        {
          v: 1,
          type: seq === 1 ? 'identity.init' : 'tag.set',
          author: k.fp,
          seq,
          prev: out.at(-1) ? recordId(out.at(-1)!) : null,
          at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
          team: null,
          body,
        },
        k.privateKey,
      )
      out.push(r)
    }
    return out
  }
  it('verifies an intact chain in any order; names a gap, a fork, a wrong prev and a forged signature', () => {
    const k = keys()
    const records = chainOf(k, 6)
    expect(verifyRecords({ policies: [], records: [...records].reverse() })).toMatchObject({
      ok: true,
      records: 6,
      problems: [],
    })
    const gap = verifyRecords({ policies: [], records: records.filter((r) => r.seq !== 3) })
    expect(gap.problems[0]).toMatchObject({
      seq: 4,
      problem: expect.stringContaining('missing (deleted)'),
    })
    const fork = signRecord({ ...records[3]!, body: { model: 'other' } }, k.privateKey)
    expect(
      verifyRecords({ policies: [], records: [...records, fork] })
        .problems.map((p) => p.problem)
        .join(),
    ).toContain('fork')
    const wrongPrev = signRecord({ ...records[4]!, prev: recordId(records[1]!) }, k.privateKey)
    expect(
      verifyRecords({ policies: [], records: records.map((r) => (r.seq === 5 ? wrongPrev : r)) })
        .problems[0]!.problem,
    ).toContain('prev does not name seq 4')
    const other = keys()
    const forged = signRecord({ ...records[2]! }, other.privateKey)
    expect(
      verifyRecords({ policies: [], records: records.map((r) => (r.seq === 3 ? forged : r)) })
        .problems[0]!.problem,
    ).toContain('signature does not verify')
    const unknown = verifyRecords({
      policies: [],
      records: [signRecord({ ...records[0]!, author: other.fp }, other.privateKey)],
    })
    expect(unknown.problems[0]!.problem).toContain('whose public key is in neither')
  })
  it('accepts unknown record types as "not applied", and checks blobs when asked', () => {
    const k = keys()
    const records = chainOf(k, 2)
    const next = signRecord(
      {
        v: 1,
        type: 'future.thing',
        author: k.fp,
        seq: 3,
        prev: recordId(records[1]!),
        at: '2026-01-02T00:00:00.000Z',
        team: null,
        body: {},
      },
      k.privateKey,
    )
    const reg = signRecord(
      {
        v: 1,
        type: 'version.register',
        author: k.fp,
        seq: 4,
        prev: recordId(next),
        at: '2026-01-02T00:00:01.000Z',
        team: null,
        body: { model: 'm', versionSha256: 'a'.repeat(64) },
      },
      k.privateKey,
    )
    const report = verifyRecords({
      policies: [],
      records: [...records, next, reg],
      blobsPresent: () => false,
    })
    expect(report.unknownTypes).toEqual(['future.thing'])
    expect(report.problems).toEqual([
      expect.objectContaining({
        type: 'version.register',
        problem: expect.stringContaining('missing from the store'),
      }),
    ])
  })
})
