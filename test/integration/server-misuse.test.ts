// Web mode under attack and misuse: cookie scope, odd request targets, refused bodies, upload
// limits, static read failures and error bodies, each over real HTTP to a real server.
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningServer } from '../../src/server/server'
import { startServer } from '../../src/server/server'
import { httpRequest, standInRenderer, type Reply, type RequestOptions } from '../helpers/http'

const UPLOAD_LIMIT = 64 * 1024

let server: RunningServer
let home: string
let rendererDir: string
let uploadsDir: string

const request = (urlPath: string, options?: RequestOptions): Promise<Reply> =>
  httpRequest(server.port, urlPath, options)

/** Writes bytes as they are on a raw socket; resolves with all the server sent once it closes. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')))
    socket.on('close', () => resolve(received))
    socket.on('error', reject)
    socket.write(text)
  })
}

const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` })

const envelope = (reply: Reply): { ok: boolean; error?: { code: string; message: string } } =>
  JSON.parse(reply.body) as { ok: boolean; error?: { code: string; message: string } }

async function stillServing(): Promise<void> {
  const info = await request('/api/call/app:info', { method: 'POST', headers: auth(), body: '{}' })
  expect(info.status).toBe(200)
}

const uploadsLeft = (): string[] => (fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [])

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-server-misuse-'))
  rendererDir = standInRenderer(home)
  server = await startServer({
    home: path.join(home, 'registry'),
    port: 0,
    rendererDir,
    maxUploadBytes: UPLOAD_LIMIT,
  })
  uploadsDir = path.join(home, 'registry', 'uploads')
})

afterAll(async () => {
  await server?.close()
  fs.rmSync(home, { recursive: true, force: true })
})

describe('web mode against a hostile page or process', () => {
  it('never puts the API token in the cookie, which every port of 127.0.0.1 receives', async () => {
    const page = await request(`/?token=${server.token}`)
    expect(page.status).toBe(200)
    const cookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? ''
    const [name, value] = cookie.split('=')
    expect(name).toBe(`slipway_token_${server.port}`)
    expect(value).toMatch(/^[0-9a-f]{64}$/)
    expect(value).not.toBe(server.token)
    // What a server on another port learns from the cookie opens the page's files, not the API.
    const asset = await request('/assets/app.js', { headers: { cookie } })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'")
    expect(asset.headers['x-content-type-options']).toBe('nosniff')
    expect(asset.headers['access-control-allow-origin']).toBeUndefined()
    for (const route of ['/api/call/app:info', '/api/upload?name=x.onnx']) {
      const refused = await request(route, {
        method: 'POST',
        headers: { authorization: `Bearer ${value}` },
        body: '{}',
      })
      expect(refused.status, route).toBe(401)
    }
    expect((await request(`/api/events?token=${value}`)).status).toBe(401)
  })

  it('answers odd request targets as a client error, never an internal one', async () => {
    const send = (target: string): Promise<string> =>
      raw(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          `Authorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`,
      )
    for (const target of ['//', '//%', '//[::1/', '//evil.example/../index.html']) {
      const reply = await send(target)
      expect(reply, target).toMatch(/^HTTP\/1\.1 4\d\d /)
      expect(reply).not.toContain('Invalid URL')
    }
    // Absolute-form names a host of its own, past the Host header check.
    for (const target of ['http://evil.example/api/call/app:info', '*']) {
      expect(await send(target), target).toMatch(/^HTTP\/1\.1 400 /)
    }
    await stillServing()
  })

  it('answers every API error with the envelope, however the path is spelled', async () => {
    for (const spelling of ['/./api/call/app:info', '/assets/../api/call/app:info']) {
      const reply = await raw(
        `POST ${spelling} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
          `Content-Length: 2\r\nConnection: close\r\n\r\n{}`,
      )
      expect(reply, spelling).toMatch(/^HTTP\/1\.1 401 /)
      expect(reply).toMatch(/content-type: application\/json/i)
      expect(reply).toContain('{"ok":false,"error":{"code":"UNAUTHORIZED"')
    }
  })

  it('closes the connection instead of reading a body it refused', async () => {
    // Claims 100 MB, sends three bytes: the answer must come now and the socket must close,
    // not wait for (or read) the rest.
    const tooBig = await raw(
      `POST /api/call/app:info HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
        `Authorization: Bearer ${server.token}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\nabc`,
    )
    expect(tooBig).toMatch(/^HTTP\/1\.1 413 /)
    expect(tooBig).toMatch(/\r\nconnection: close\r\n/i)
    expect(tooBig).toContain('larger than')
    const noToken = await raw(
      `POST /api/upload?name=big.onnx HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
        `Content-Length: ${100 * 1024 * 1024}\r\n\r\nabc`,
    )
    expect(noToken).toMatch(/^HTTP\/1\.1 401 /)
    expect(noToken).toMatch(/\r\nconnection: close\r\n/i)
    await stillServing()
  })

  it('refuses an upload over the limit with a message naming the file, keeping nothing', async () => {
    const before = uploadsLeft()
    const declared = await request('/api/upload?name=huge.onnx', {
      method: 'POST',
      headers: auth(),
      body: Buffer.alloc(UPLOAD_LIMIT + 1),
    })
    expect(declared.status).toBe(413)
    expect(envelope(declared)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(envelope(declared).error?.message).toContain('huge.onnx')
    // Chunked, so the size is only known while reading: the socket must survive to carry the answer.
    const chunked = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/upload?name=streamed.onnx',
          method: 'POST',
          agent: false,
          headers: { ...auth(), host: `127.0.0.1:${server.port}`, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (body += chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.on('error', reject)
      req.write(Buffer.alloc(UPLOAD_LIMIT))
      req.write(Buffer.alloc(1024))
      // The rest never comes: the answer must not depend on it.
    })
    expect(chunked.status).toBe(413)
    expect(envelope(chunked).error?.message).toContain('streamed.onnx')
    expect(uploadsLeft()).toEqual(before)
    await stillServing()
  })

  it('refuses a form upload instead of storing its boundaries as the file', async () => {
    const before = uploadsLeft()
    const boundary = 'slipwayqa'
    const reply = await request('/api/upload?name=model.onnx', {
      method: 'POST',
      headers: { ...auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body:
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="model.onnx"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\nabc\r\n--${boundary}--\r\n`,
    })
    expect(reply.status).toBe(415)
    expect(envelope(reply)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(envelope(reply).error?.message).toMatch(/model\.onnx.*bytes as the request body/)
    expect(uploadsLeft()).toEqual(before)
  })

  it('keeps no file of uploads cut off halfway, however many at once', async () => {
    const before = uploadsLeft()
    const cutOff = async (index: number): Promise<void> => {
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        path: `/api/upload?name=cut-${index}.onnx`,
        method: 'POST',
        agent: false,
        headers: { ...auth(), host: `127.0.0.1:${server.port}`, 'content-length': UPLOAD_LIMIT },
      })
      const closed = new Promise<void>((resolve) => req.on('close', () => resolve()))
      req.on('error', () => undefined)
      // Cut off once the first bytes are on their way, so the server has begun storing them.
      req.write(Buffer.alloc(1024 * (index + 1)), () => req.destroy())
      await closed
    }
    // Counts the uploads the store has finished with, so the check runs after every cleanup.
    const store = server.slipway.core.uploads
    const create = store.create.bind(store)
    let settled = 0
    store.create = async (...args) => {
      try {
        return await create(...args)
      } finally {
        settled++
      }
    }
    try {
      await Promise.all(Array.from({ length: 12 }, (_, index) => cutOff(index)))
      await vi.waitFor(() => expect(settled).toBe(12), { timeout: 2000, interval: 5 })
    } finally {
      store.create = create
    }
    expect(uploadsLeft()).toEqual(before)
    await stillServing()
  })

  it('lets go of every event stream a client drops', async () => {
    const listeners = (): number =>
      (server.slipway as unknown as { listeners: Set<unknown> }).listeners.size
    const baseline = listeners()
    const open = (): Promise<http.ClientRequest> =>
      new Promise((resolve, reject) => {
        const req = http.get(
          {
            host: '127.0.0.1',
            port: server.port,
            path: `/api/events?token=${server.token}`,
            agent: false,
            headers: { host: `127.0.0.1:${server.port}` },
          },
          (res) => res.once('data', () => resolve(req)),
        )
        req.on('error', reject)
      })
    const streams = await Promise.all(Array.from({ length: 40 }, open))
    expect(listeners()).toBe(baseline + 40)
    for (const stream of streams) stream.destroy()
    await vi.waitFor(() => expect(listeners()).toBe(baseline), { timeout: 2000, interval: 10 })
    // An event after the drop is written nowhere and breaks nothing.
    server.slipway.core.emit({
      name: 'drift:alert',
      payload: {
        model: 'm',
        status: 'dataset-drift',
        previous: 'no-drift',
        runId: 1,
        monitorId: null,
        driftShare: 1,
        driftedColumns: [],
        message: 'check',
      },
    })
    await stillServing()
  })

  it.runIf(process.platform === 'linux')(
    'survives a static file that fails while it is read',
    async () => {
      // /proc/self/mem stats as a regular file and fails on read, like a file a rebuild removes
      // between the stat and the read.
      fs.symlinkSync('/proc/self/mem', path.join(rendererDir, 'assets', 'gone.js'))
      const cookie =
        String((await request(`/?token=${server.token}`)).headers['set-cookie']?.[0] ?? '').split(
          ';',
        )[0] ?? ''
      await request('/assets/gone.js', { headers: { cookie } }).catch(() => undefined)
      const next = await request('/assets/app.js', { headers: { cookie } })
      expect(next.status).toBe(200)
      expect(next.body).toBe('console.log(1)')
    },
  )

  it('shows no absolute path of the machine when something unexpected fails', async () => {
    // The uploads folder removed under a running server makes storing an upload fail in fs.
    fs.rmSync(uploadsDir, { recursive: true, force: true })
    const terminal = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const reply = await request('/api/upload?name=model.onnx', {
        method: 'POST',
        headers: auth(),
        body: 'abc',
      })
      expect(reply.status).toBe(500)
      const result = envelope(reply)
      expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
      expect(result.error?.message).not.toContain(home)
      expect(result.error?.message).not.toMatch(/\/tmp\/|\bat .*:\d+:\d+/)
      expect(result.error?.message).toContain('ENOENT')
      // The person at the terminal still gets the whole story.
      expect(String(terminal.mock.calls[0]?.[1])).toContain(uploadsDir)
    } finally {
      terminal.mockRestore()
      fs.mkdirSync(uploadsDir, { recursive: true })
    }
    await stillServing()
  })

  it('says which port is taken and leaves the registry closed when it cannot listen', async () => {
    const otherHome = path.join(home, 'second')
    await expect(startServer({ home: otherHome, port: server.port, rendererDir })).rejects.toThrow(
      new RegExp(`Port ${server.port} is already in use`),
    )
    // SQLite removes the write-ahead log when the last connection closes.
    expect(fs.existsSync(path.join(otherHome, 'registry.sqlite'))).toBe(true)
    expect(fs.existsSync(path.join(otherHome, 'registry.sqlite-wal'))).toBe(false)
  })

  it('grants nothing to a preflight and names the allowed method when refusing one', async () => {
    const preflight = await request('/api/call/app:info', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(405)
    expect(preflight.headers['allow']).toBe('POST')
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual(
      [],
    )
    expect(envelope(preflight)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const events = await request('/api/events', { method: 'DELETE', headers: auth() })
    expect(events.status).toBe(405)
    expect(events.headers['allow']).toBe('GET')
    const page = await request('/', { method: 'PUT' })
    expect(page.status).toBe(405)
    expect(page.headers['allow']).toBe('GET, HEAD')
  })
})
