// Web mode's security decisions as pure functions: token, Host, Origin, static paths, headers.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import path from 'node:path'
import { contentSecurityPolicy } from '../api/csp'

export const newToken = (): string => randomBytes(32).toString('hex')

/** Compares in constant time; hashing first makes both sides the same length. */
export function tokensMatch(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || expected.length === 0) return false
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The token a request carries: `Authorization: Bearer`, `X-Slipway-Token`, or (if allowed) `?token=`. */
export function requestToken(
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams | null,
): string | undefined {
  const auth = headers['authorization']
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (match) return match[1]
  }
  const header = headers['x-slipway-token']
  if (typeof header === 'string' && header) return header
  const fromQuery = query?.get('token')
  return fromQuery ?? undefined
}

/** The cookie that lets the page's own scripts and styles load after a tokened page load. */
export const cookieName = (port: number): string => `slipway_token_${port}`

export function cookieToken(cookieHeader: unknown, port: number): string | undefined {
  if (typeof cookieHeader !== 'string') return undefined
  const name = cookieName(port)
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** DNS-rebinding defence: only the loopback names this server was reached by are accepted. */
export function isAllowedHost(host: unknown, port: number): boolean {
  if (typeof host !== 'string') return false
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
}

/** A cross-origin page may not post to the API; requests without Origin come from non-browsers. */
export function isAllowedOrigin(origin: unknown, port: number): boolean {
  if (origin === undefined) return true
  if (typeof origin !== 'string') return false
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

/**
 * Maps a URL path to a file inside `root`, or null when it would leave `root` (`..`, encoded
 * slashes or backslashes, NUL bytes, absolute Windows paths).
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  if (!decoded.startsWith('/')) return null
  const segments = decoded.split('/').filter((segment) => segment.length > 0)
  if (
    segments.some((segment) => segment === '..' || segment === '.' || /^[A-Za-z]:/.test(segment))
  ) {
    return null
  }
  const relative = segments.length === 0 ? 'index.html' : segments.join('/')
  const absoluteRoot = path.resolve(root)
  const file = path.resolve(absoluteRoot, relative)
  if (file !== absoluteRoot && !file.startsWith(absoluteRoot + path.sep)) return null
  return file
}

export { contentSecurityPolicy }

export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

export const contentTypeFor = (file: string): string =>
  contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream'

/**
 * The URL of an origin-form request target (`/path?query`), or null for absolute-form, `*` and
 * anything unparsable. Prefixing the origin, rather than resolving against it, keeps `//x` a path.
 */
export function parseRequestTarget(target: unknown): URL | null {
  if (typeof target !== 'string' || !target.startsWith('/')) return null
  try {
    return new URL(`http://127.0.0.1${target}`)
  } catch {
    return null
  }
}
