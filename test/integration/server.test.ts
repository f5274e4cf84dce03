// Web mode end to end over real HTTP: token, Host and Origin checks, CSP, static containment,
// body limits, upload + register of real ONNX files, and server-sent events.
import { standInJobs } from '../helpers/home'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server/server'
import { MAX_CALL_BODY_BYTES, startServer } from '../../src/server/server'
import { httpRequest, standInRenderer, type Reply, type RequestOptions } from '../helpers/http'

const fixture = (...parts: string[]): string => path.join(__dirname, '..', 'fixtures', ...parts)

let server: RunningServer
let home: string
let rendererDir: string

const request = (urlPath: string, options?: RequestOptions): Promise<Reply> =>
  httpRequest(server.port, urlPath, options)

const auth = (): Record<string, string> => ({
  authorization: `Bearer ${server.token}`,
  'content-type': 'application/json',
})

async function call(
  name: string,
  input: unknown,
): Promise<{
  ok: boolean
  value?: Record<string, unknown>
  error?: { code: string; message: string }
}> {
  const reply = await request(`/api/call/${name}`, {
    method: 'POST',
    headers: auth(),
    body: JSON.stringify(input),
  })
  return JSON.parse(reply.body) as {
    ok: boolean
    value?: Record<string, unknown>
    error?: { code: string; message: string }
  }
}

async function upload(file: string, name = path.basename(file)): Promise<string> {
  const reply = await request(`/api/upload?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.token}`,
      'content-type': 'application/octet-stream',
    },
    body: fs.readFileSync(file),
  })
  expect(reply.status).toBe(200)
  const result = JSON.parse(reply.body) as {
    ok: true
    value: { uploadId: string; fileName: string; size: number }
  }
  expect(result.value.fileName).toBe(name)
  expect(result.value.size).toBe(fs.statSync(file).size)
  return result.value.uploadId
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-server-'))
  // A small stand-in renderer folder, with a secret file next to it that must never be served.
  rendererDir = standInRenderer(home)
  fs.writeFileSync(path.join(home, 'secret.txt'), 'TOP-SECRET')
  server = await startServer({ home: path.join(home, 'registry'), port: 0, rendererDir })
})

afterAll(async () => {
  await server?.close()
  fs.rmSync(home, { recursive: true, force: true })
})

describe('web mode server', () => {
  it('prints a loopback URL carrying a 64-hex-digit token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses the page without the token or with a wrong one', async () => {
    expect((await request('/')).status).toBe(401)
    expect((await request('/?token=' + '0'.repeat(64))).status).toBe(401)
    expect((await request('/assets/app.js')).status).toBe(401)
  })

  it('serves the page with the token, strict CSP and safety headers, and a cookie for its assets', async () => {
    const page = await request(`/?token=${server.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>Slipway</title>')
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    const cookie = String(page.headers['set-cookie']?.[0] ?? '')
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    const asset = await request('/assets/app.js', {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toMatch(/javascript/)
    expect(asset.body).toBe('console.log(1)')
  })

  it('refuses a foreign Host header (DNS rebinding) and accepts localhost', async () => {
    const foreign = await request(`/?token=${server.token}`, {
      headers: { host: `evil.example:${server.port}` },
    })
    expect(foreign.status).toBe(403)
    const apiForeign = await request('/api/call/app:info', {
      method: 'POST',
      headers: { ...auth(), host: 'evil.example' },
      body: '{}',
    })
    expect(apiForeign.status).toBe(403)
    const local = await request(`/?token=${server.token}`, {
      headers: { host: `localhost:${server.port}` },
    })
    expect(local.status).toBe(200)
  })

  it('never serves a file outside the renderer folder', async () => {
    const cookie = `slipway_token_${server.port}=${server.token}`
    for (const attempt of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      `/${'%2e%2e/'.repeat(8)}etc/passwd`,
    ]) {
      const reply = await request(attempt, { headers: { cookie } })
      expect(reply.status, attempt).toBe(404)
      expect(reply.body).not.toContain('TOP-SECRET')
    }
  })

  it('requires the token on API calls, by Bearer or X-Slipway-Token, never by cookie or query', async () => {
    const none = await request('/api/call/app:info', { method: 'POST', body: '{}' })
    expect(none.status).toBe(401)
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    const wrong = await request('/api/call/app:info', {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '{}',
    })
    expect(wrong.status).toBe(401)
    const byCookie = await request(`/api/call/app:info?token=${server.token}`, {
      method: 'POST',
      headers: { cookie: `slipway_token_${server.port}=${server.token}` },
      body: '{}',
    })
    expect(byCookie.status).toBe(401)
    const byHeader = await request('/api/call/app:info', {
      method: 'POST',
      headers: { 'x-slipway-token': server.token },
      body: '{}',
    })
    expect(byHeader.status).toBe(200)
    const info = await call('app:info', {})
    expect(info).toMatchObject({
      ok: true,
      value: { face: 'web', home: path.join(home, 'registry') },
    })
  })

  it('refuses cross-origin posts', async () => {
    const reply = await request('/api/call/app:info', {
      method: 'POST',
      headers: { ...auth(), origin: 'http://evil.example' },
      body: '{}',
    })
    expect(reply.status).toBe(403)
    const same = await request('/api/call/app:info', {
      method: 'POST',
      headers: { ...auth(), origin: `http://127.0.0.1:${server.port}` },
      body: '{}',
    })
    expect(same.status).toBe(200)
  })

  it('answers unknown calls, bad JSON, bad input and oversized bodies with an error envelope', async () => {
    const unknown = await request('/api/call/registry:drop-everything', {
      method: 'POST',
      headers: auth(),
      body: '{}',
    })
    expect(unknown.status).toBe(404)
    expect(JSON.parse(unknown.body)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Unknown call registry:drop-everything' },
    })
    const proto = await request('/api/call/__proto__', {
      method: 'POST',
      headers: auth(),
      body: '{}',
    })
    expect(proto.status).toBe(404)
    const malformed = await request('/api/call/%E0%A4%A', {
      method: 'POST',
      headers: auth(),
      body: '{}',
    })
    expect(malformed.status).toBe(404)
    expect(JSON.parse(malformed.body).ok).toBe(false)
    const badJson = await request('/api/call/app:info', {
      method: 'POST',
      headers: auth(),
      body: '{nope',
    })
    expect(badJson.status).toBe(400)
    expect(JSON.parse(badJson.body).error.code).toBe('INVALID_INPUT')
    const badInput = await call('registry:get-model', { model: '../etc' })
    expect(badInput).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const huge = await request('/api/call/app:info', {
      method: 'POST',
      headers: auth(),
      body: 'x'.repeat(MAX_CALL_BODY_BYTES + 1),
    })
    expect(huge.status).toBe(413)
    expect(JSON.parse(huge.body).error.message).toContain('larger than')
  })

  it('uploads and registers a real ONNX model, then recognises the same file', async () => {
    const first = await call('registry:register', {
      file: { uploadId: await upload(fixture('models', 'linear_binary.onnx')) },
      model: 'churn',
    })
    expect(first.ok, JSON.stringify(first.error)).toBe(true)
    expect(first.value).toMatchObject({
      model: 'churn',
      version: 1,
      existing: false,
      fileName: 'linear_binary.onnx',
    })
    const again = await call('registry:register', {
      file: { uploadId: await upload(fixture('models', 'linear_binary.onnx')) },
      model: 'churn',
    })
    expect(again.value).toMatchObject({ model: 'churn', version: 1, existing: true })
    const detail = await call('registry:get-version', { model: 'churn', ref: 1 })
    expect(detail.ok).toBe(true)
    // the uploaded bytes arrived whole: hash, size and signature are python onnx's (manifest.json)
    const facts = (
      JSON.parse(fs.readFileSync(fixture('models', 'manifest.json'), 'utf8')) as {
        models: Record<string, { sha256: string; size: number; inputs: unknown[] }>
      }
    ).models.linear_binary!
    expect(detail.value).toMatchObject({
      sha256: facts.sha256,
      size: facts.size,
      onnx: { inputs: facts.inputs },
    })
  })

  it('refuses file paths from a page and registers nothing from a broken file', async () => {
    const byPath = await call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'sneaky',
    })
    expect(byPath).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(byPath.error?.message).toMatch(/uploaded files only/)
    const broken = await call('registry:register', {
      file: { uploadId: await upload(fixture('bad', 'truncated.onnx')) },
      model: 'broken',
    })
    expect(broken.ok).toBe(false)
    expect(broken.error?.code).toMatch(/ONNX_INVALID|BAD_FILE/)
    expect(broken.error?.message).toContain('truncated.onnx')
    const models = await call('registry:list-models', {})
    expect(
      (models.value as unknown as { models: Array<{ name: string }> }).models.map((m) => m.name),
    ).toEqual(['churn'])
  })

  it('refuses uploads without the token', async () => {
    const reply = await request('/api/upload?name=x.onnx', { method: 'POST', body: 'abc' })
    expect(reply.status).toBe(401)
  })

  it('streams core events to an authorised event stream', async () => {
    expect((await request('/api/events')).status).toBe(401)
    const received = await new Promise<{
      name: string
      payload: { title: string; status: string }
    }>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/api/events?token=${server.token}`,
          headers: { host: `127.0.0.1:${server.port}` },
        },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/)
          let buffer = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            buffer += chunk
            if (buffer.includes(': connected') && !buffer.includes('data:')) {
              standInJobs(server.slipway).start('test', 'Event stream check', async () => 42)
            }
            const match = /^data: (.*)$/m.exec(buffer)
            if (match) {
              req.destroy()
              resolve(
                JSON.parse(match[1] ?? '') as {
                  name: string
                  payload: { title: string; status: string }
                },
              )
            }
          })
        },
      )
      req.on('error', reject)
    })
    expect(received.name).toBe('jobs:progress')
    expect(received.payload.title).toBe('Event stream check')
  })
})

describe('web mode from the command line', () => {
  const root = path.resolve(__dirname, '..', '..')

  /** Starts a process and resolves with its output once `ready` matches it. */
  function launch(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const done = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8')
        if (ready.test(output)) resolve(output)
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.on('exit', (code) =>
        reject(new Error(`exited with ${code} before it was ready:\n${output}`)),
      )
    })
    return { child, done }
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }

  it('out/node/server.cjs prints one tokened URL and answers on it', async () => {
    const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-server-cli-'))
    const { child, done } = launch(
      [path.join(root, 'out', 'node', 'server.cjs'), '--home', cliHome, '--port', '0'],
      /token=[0-9a-f]{64}\n/,
    )
    try {
      const output = await done
      const match =
        /^Slipway web mode: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64}))$/m.exec(output)
      expect(match, output).not.toBeNull()
      const [, , port, token] = match!
      const reply = await fetch(`http://127.0.0.1:${port}/api/call/app:info`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      })
      expect(await reply.json()).toMatchObject({ ok: true, value: { face: 'web', home: cliHome } })
    } finally {
      await stop(child)
      fs.rmSync(cliHome, { recursive: true, force: true })
    }
  })

  it('npm start says in one line why there is no window, then starts web mode', async () => {
    const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-start-'))
    // A missing Electron binary, whatever this machine has installed.
    const env = {
      ...process.env,
      ELECTRON_OVERRIDE_DIST_PATH: path.join(cliHome, 'no-electron-here'),
    }
    const { child, done } = launch(
      [path.join(root, 'scripts', 'start.mjs'), '--home', cliHome],
      /token=[0-9a-f]{64}\n/,
      env,
    )
    try {
      const lines = (await done).trim().split('\n')
      expect(lines[0]).toBe(
        'Electron is not available here (no binary: node node_modules/electron/install.js fetches it where its download is reachable); starting web mode.',
      )
      expect(lines[1]).toMatch(
        /^Slipway web mode: http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/,
      )
      expect(lines).toHaveLength(2)
    } finally {
      await stop(child)
      fs.rmSync(cliHome, { recursive: true, force: true })
    }
  })
})
