// A home's identity: an Ed25519 key pair (node:crypto), its public-key text and fingerprint as
// docs/TRUST.md defines them, and the private key file (0600, optionally passphrase-encrypted
// with scrypt + AES-256-GCM). The private key is never logged, returned or sent.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { SlipwayError } from '../../api/errors'

export interface IdentityInfo {
  name: string
  email: string
  /** `ed25519:` + base64url of the raw 32-byte public key. */
  publicKey: string
  /** Lowercase hex SHA-256 of the raw public key. */
  fingerprint: string
  createdAt: string
  encrypted: boolean
}

export interface LoadedIdentity {
  info: IdentityInfo
  /** The unlocked private key, or null while a passphrase-protected key is locked. */
  privateKey: crypto.KeyObject | null
}

const PREFIX = 'ed25519:'
const ENCRYPTED_LABEL = 'SLIPWAY ENCRYPTED PRIVATE KEY'
const PROTECTED_LABEL = 'SLIPWAY PROTECTED PRIVATE KEY'

/**
 * Something outside the home that seals the private key: in the Electron app, `safeStorage`
 * (the OS keychain). Core never imports electron; the shell hands this in.
 */
export interface KeyProtector {
  name: string
  encrypt(plain: Buffer): Buffer
  decrypt(sealed: Buffer): Buffer
}

function protectPrivateKey(pkcs8: Buffer, protector: KeyProtector): string {
  const envelope = { protector: protector.name, data: protector.encrypt(pkcs8).toString('base64') }
  const b64 = Buffer.from(JSON.stringify(envelope)).toString('base64')
  return `-----BEGIN ${PROTECTED_LABEL}-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END ${PROTECTED_LABEL}-----\n`
}

function unprotectPrivateKey(
  text: string,
  protector: KeyProtector | undefined,
  file: string,
): crypto.KeyObject | null {
  const b64 = text
    .replace(`-----BEGIN ${PROTECTED_LABEL}-----`, '')
    .replace(`-----END ${PROTECTED_LABEL}-----`, '')
    .replace(/\s+/g, '')
  const e = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as {
    protector: string
    data: string
  }
  if (!protector) return null // locked: only the app that sealed it can open it
  if (protector.name !== e.protector)
    throw new SlipwayError(
      'UNAUTHORIZED',
      `${file} is sealed by ${e.protector}, not ${protector.name}`,
    )
  let pkcs8: Buffer
  try {
    pkcs8 = protector.decrypt(Buffer.from(e.data, 'base64'))
  } catch {
    throw new SlipwayError(
      'UNAUTHORIZED',
      `${file} cannot be unsealed by ${protector.name} on this machine`,
    )
  }
  return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
}
// scrypt cost: N=2^15 takes ~100 ms here; enough to slow guessing, small enough to unlock per run.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

export const identityDir = (home: string): string => path.join(home, 'identity')

function rawPublicKey(key: crypto.KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' }) as { x?: string }
  if (!jwk.x) throw new Error('not an Ed25519 key')
  return Buffer.from(jwk.x, 'base64url')
}

export const fingerprintOfRaw = (raw: Buffer): string =>
  crypto.createHash('sha256').update(raw).digest('hex')

/** `3f2a 9c01 77de 0b45`: the first 16 hex characters in groups of four. */
export const shortFingerprint = (fingerprint: string): string =>
  (fingerprint.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ')

export const publicKeyText = (raw: Buffer): string => PREFIX + raw.toString('base64url')

/** Parses public-key text; the message names the problem. */
export function parsePublicKey(text: string): {
  raw: Buffer
  fingerprint: string
  key: crypto.KeyObject
} {
  const trimmed = text.trim()
  if (!trimmed.startsWith(PREFIX))
    throw new SlipwayError(
      'INVALID_INPUT',
      `Public key "${trimmed.slice(0, 40)}" does not start with "${PREFIX}"`,
    )
  const body = trimmed.slice(PREFIX.length)
  if (!/^[A-Za-z0-9_-]{43}$/.test(body))
    throw new SlipwayError(
      'INVALID_INPUT',
      `Public key "${trimmed.slice(0, 60)}" is not 32 bytes of base64url`,
    )
  const raw = Buffer.from(body, 'base64url')
  if (raw.length !== 32 || raw.toString('base64url') !== body)
    throw new SlipwayError(
      'INVALID_INPUT',
      `Public key "${trimmed.slice(0, 60)}" is not 32 bytes of base64url`,
    )
  let key: crypto.KeyObject
  try {
    key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: body }, format: 'jwk' })
  } catch {
    throw new SlipwayError(
      'INVALID_INPUT',
      `Public key "${trimmed.slice(0, 60)}" is not an Ed25519 key`,
    )
  }
  return { raw, fingerprint: fingerprintOfRaw(raw), key }
}

const publicKeyCache = new Map<string, crypto.KeyObject | null>()

/** The key object for public-key text, or null when the text is not a valid key (cached). */
export function publicKeyObject(text: string): crypto.KeyObject | null {
  let key = publicKeyCache.get(text)
  if (key === undefined) {
    try {
      key = parsePublicKey(text).key
    } catch {
      key = null
    }
    if (publicKeyCache.size > 10_000) publicKeyCache.clear()
    publicKeyCache.set(text, key)
  }
  return key
}

export const signBytes = (data: Buffer, privateKey: crypto.KeyObject): string =>
  crypto.sign(null, data, privateKey).toString('base64url')

export function verifyBytes(data: Buffer, signature: string, publicKey: crypto.KeyObject): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false
  try {
    return crypto.verify(null, data, publicKey, Buffer.from(signature, 'base64url'))
  } catch {
    return false
  }
}

function encryptPrivateKey(pkcs8: Buffer, passphrase: string): string {
  const salt = crypto.randomBytes(16)
  const iv = crypto.randomBytes(12)
  const key = crypto.scryptSync(passphrase, salt, 32, SCRYPT)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  const ct = Buffer.concat([cipher.update(pkcs8), cipher.final()])
  const envelope = {
    kdf: 'scrypt',
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    cipher: 'aes-256-gcm',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: ct.toString('base64'),
  }
  const b64 = Buffer.from(JSON.stringify(envelope)).toString('base64')
  return `-----BEGIN ${ENCRYPTED_LABEL}-----\n${b64.replace(/.{64}/g, '$&\n')}\n-----END ${ENCRYPTED_LABEL}-----\n`
}

function decryptPrivateKey(text: string, passphrase: string): crypto.KeyObject {
  const b64 = text
    .replace(`-----BEGIN ${ENCRYPTED_LABEL}-----`, '')
    .replace(`-----END ${ENCRYPTED_LABEL}-----`, '')
    .replace(/\s+/g, '')
  const e = JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as Record<
    string,
    string | number
  >
  const key = crypto.scryptSync(passphrase, Buffer.from(String(e.salt), 'base64'), 32, {
    N: Number(e.N),
    r: Number(e.r),
    p: Number(e.p),
    maxmem: SCRYPT.maxmem,
  })
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(String(e.iv), 'base64'))
  decipher.setAuthTag(Buffer.from(String(e.tag), 'base64'))
  let pkcs8: Buffer
  try {
    pkcs8 = Buffer.concat([
      decipher.update(Buffer.from(String(e.data), 'base64')),
      decipher.final(),
    ])
  } catch {
    throw new SlipwayError('UNAUTHORIZED', "Wrong passphrase for this home's private key")
  }
  return crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' })
  fs.chmodSync(tmp, 0o600)
  fs.renameSync(tmp, file)
}

/** Makes the home's identity; refuses when it already has one. */
export function createIdentity(
  home: string,
  person: { name: string; email: string; passphrase?: string },
  protector?: KeyProtector,
): LoadedIdentity {
  const dir = identityDir(home)
  if (fs.existsSync(path.join(dir, 'identity.json')))
    throw new SlipwayError(
      'CONFLICT',
      `This home already has an identity (${path.join(dir, 'identity.json')}); one home, one identity`,
    )
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
  const raw = rawPublicKey(publicKey)
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' })
  const info: IdentityInfo = {
    name: person.name,
    email: person.email,
    publicKey: publicKeyText(raw),
    fingerprint: fingerprintOfRaw(raw),
    createdAt: new Date().toISOString(),
    encrypted: Boolean(person.passphrase || protector),
  }
  writePrivate(
    path.join(dir, 'private.pem'),
    person.passphrase
      ? encryptPrivateKey(pkcs8, person.passphrase)
      : protector
        ? protectPrivateKey(pkcs8, protector)
        : (privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
  )
  fs.writeFileSync(path.join(dir, 'identity.json'), JSON.stringify(info, null, 2) + '\n')
  return { info, privateKey }
}

/** Reads the home's identity; a passphrase-protected key stays locked without a passphrase. */
export function loadIdentity(
  home: string,
  passphrase?: string,
  protector?: KeyProtector,
): LoadedIdentity | null {
  const dir = identityDir(home)
  const infoFile = path.join(dir, 'identity.json')
  if (!fs.existsSync(infoFile)) return null
  const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as IdentityInfo
  const keyFile = path.join(dir, 'private.pem')
  let text: string
  try {
    text = fs.readFileSync(keyFile, 'utf8')
  } catch {
    throw new SlipwayError('BAD_FILE', `${keyFile}: this home's private key is missing`)
  }
  if (process.platform !== 'win32' && (fs.statSync(keyFile).mode & 0o077) !== 0)
    throw new SlipwayError(
      'UNAUTHORIZED',
      `${keyFile} can be read by other users: run chmod 600 on it before signing with it`,
    )
  let privateKey: crypto.KeyObject | null = null
  if (text.includes(ENCRYPTED_LABEL)) {
    if (passphrase !== undefined) privateKey = decryptPrivateKey(text, passphrase)
  } else if (text.includes(PROTECTED_LABEL))
    privateKey = unprotectPrivateKey(text, protector, keyFile)
  else privateKey = crypto.createPrivateKey(text)
  if (privateKey) {
    const raw = rawPublicKey(crypto.createPublicKey(privateKey))
    if (fingerprintOfRaw(raw) !== info.fingerprint)
      throw new SlipwayError(
        'BAD_FILE',
        `${keyFile} does not belong to identity ${shortFingerprint(info.fingerprint)} in identity.json`,
      )
  }
  return {
    info: { ...info, encrypted: text.includes(ENCRYPTED_LABEL) || text.includes(PROTECTED_LABEL) },
    privateKey,
  }
}
