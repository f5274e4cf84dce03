// Web mode's guards: token comparison, Host and Origin checks, static path containment, headers.
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  contentSecurityPolicy,
  cookieToken,
  isAllowedHost,
  isAllowedOrigin,
  newToken,
  requestToken,
  resolveStaticPath,
  tokensMatch,
} from '../../src/server/guards'
import { parseServerArgs } from '../../src/server/main'

describe('tokens', () => {
  it('are 32 random bytes in hex and differ each time', () => {
    const a = newToken()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(newToken()).not.toBe(a)
  })

  it('match only the exact token', () => {
    const token = newToken()
    expect(tokensMatch(token, token)).toBe(true)
    expect(tokensMatch(token.slice(0, -1), token)).toBe(false)
    expect(tokensMatch(token + '0', token)).toBe(false)
    expect(tokensMatch(token.toUpperCase(), token)).toBe(false)
    expect(tokensMatch('', token)).toBe(false)
    expect(tokensMatch(undefined, token)).toBe(false)
    expect(tokensMatch(['a'], token)).toBe(false)
    expect(tokensMatch('', '')).toBe(false)
  })

  it('are read from Bearer, X-Slipway-Token, then the query when one is allowed', () => {
    expect(requestToken({ authorization: 'Bearer abc' }, null)).toBe('abc')
    expect(requestToken({ authorization: 'bearer  abc ' }, null)).toBe('abc')
    expect(requestToken({ authorization: 'Basic abc' }, null)).toBeUndefined()
    expect(requestToken({ 'x-slipway-token': 'xyz' }, null)).toBe('xyz')
    expect(requestToken({}, new URLSearchParams('token=q1'))).toBe('q1')
    expect(requestToken({}, null)).toBeUndefined()
  })

  it('are read from the per-port cookie only', () => {
    expect(cookieToken('a=1; slipway_token_8080=tok; b=2', 8080)).toBe('tok')
    expect(cookieToken('slipway_token_8081=tok', 8080)).toBeUndefined()
    expect(cookieToken(undefined, 8080)).toBeUndefined()
  })
})

describe('Host and Origin', () => {
  it('accept loopback names on our port only', () => {
    expect(isAllowedHost('127.0.0.1:5000', 5000)).toBe(true)
    expect(isAllowedHost('localhost:5000', 5000)).toBe(true)
    expect(isAllowedHost('127.0.0.1:5001', 5000)).toBe(false)
    expect(isAllowedHost('evil.example:5000', 5000)).toBe(false)
    expect(isAllowedHost('127.0.0.1', 5000)).toBe(false)
    expect(isAllowedHost('0.0.0.0:5000', 5000)).toBe(false)
    expect(isAllowedHost(undefined, 5000)).toBe(false)
  })

  it('refuse cross-origin requests but allow requests without Origin', () => {
    expect(isAllowedOrigin(undefined, 5000)).toBe(true)
    expect(isAllowedOrigin('http://127.0.0.1:5000', 5000)).toBe(true)
    expect(isAllowedOrigin('http://localhost:5000', 5000)).toBe(true)
    expect(isAllowedOrigin('null', 5000)).toBe(false)
    expect(isAllowedOrigin('http://127.0.0.1:5001', 5000)).toBe(false)
    expect(isAllowedOrigin('https://127.0.0.1:5000', 5000)).toBe(false)
    expect(isAllowedOrigin('http://evil.example', 5000)).toBe(false)
  })
})

describe('static paths', () => {
  const root = path.resolve('/srv/renderer')
  it('map inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(path.join(root, 'index.html'))
    expect(resolveStaticPath(root, '/assets/index-1.js')).toBe(
      path.join(root, 'assets', 'index-1.js'),
    )
    expect(resolveStaticPath(root, '/a%20b.css')).toBe(path.join(root, 'a b.css'))
  })

  it.each([
    '/../secret',
    '/assets/../../secret',
    '/%2e%2e/secret',
    '/%2E%2E%2Fsecret',
    '/..%2fsecret',
    '/..%5csecret',
    '/a\\..\\..\\secret',
    '/%00',
    '/C:/Windows/win.ini',
    '/./index.html',
    '/%',
    'relative',
  ])('refuse %s', (urlPath) => {
    expect(resolveStaticPath(root, urlPath)).toBeNull()
  })
})

describe('CSP', () => {
  it('allows only our own scripts and no inline code', () => {
    expect(contentSecurityPolicy).toContain("default-src 'self'")
    expect(contentSecurityPolicy).toContain("script-src 'self'")
    expect(contentSecurityPolicy).toContain("object-src 'none'")
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'")
    expect(contentSecurityPolicy).toContain("base-uri 'none'")
    expect(contentSecurityPolicy).not.toContain('unsafe')
  })
})

describe('server arguments', () => {
  it('parse --home and --port in both spellings', () => {
    expect(parseServerArgs(['--home', '/tmp/h', '--port', '8123'])).toEqual({
      home: '/tmp/h',
      port: 8123,
    })
    expect(parseServerArgs(['--home=/tmp/h', '--port=0'])).toEqual({ home: '/tmp/h', port: 0 })
    expect(parseServerArgs([])).toEqual({ port: 0 })
  })
  it('refuse bad values with the option named', () => {
    expect(() => parseServerArgs(['--port', 'x'])).toThrow(/--port x/)
    expect(() => parseServerArgs(['--port', '70000'])).toThrow(/--port/)
    expect(() => parseServerArgs(['--home'])).toThrow(/--home needs a value/)
    expect(() => parseServerArgs(['--bogus'])).toThrow(/Unknown option --bogus/)
  })
})
