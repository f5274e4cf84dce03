// Web mode: the built renderer and the whole API over HTTP on loopback, guarded by a random token.
// Static files, `POST /api/call/:name`, `POST /api/upload`, and server-sent events at `/api/events`.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ApiEvent } from '../api/calls'
import { isCallName } from '../api/calls'
import type { ApiError, ErrorCode, Result } from '../api/errors'
import { SlipwayError, isSlipwayError } from '../api/errors'
import { safeFileName } from '../core/artifacts/uploads'
import { Slipway } from '../core/service'
import {
  contentTypeFor,
  cookieName,
  cookieToken,
  isAllowedHost,
  isAllowedOrigin,
  newToken,
  parseRequestTarget,
  requestToken,
  resolveStaticPath,
  securityHeaders,
  tokensMatch,
} from './guards'

export interface ServerOptions {
  /** Registry home; ignored when `slipway` is given. */
  home?: string
  /** 0 picks a free port. */
  port?: number
  /** Web mode listens on loopback only. */
  host?: '127.0.0.1'
  /** An already open service (tests, or a face that owns it); otherwise one is opened on `home`. */
  slipway?: Slipway
  /** The built renderer; defaults to out/renderer of this project. */
  rendererDir?: string
  /** Largest file `/api/upload` accepts; defaults to MAX_UPLOAD_BYTES. */
  maxUploadBytes?: number
}

export interface RunningServer {
  url: string
  token: string
  port: number
  slipway: Slipway
  close(): Promise<void>
}

export const MAX_CALL_BODY_BYTES = 1024 * 1024
export const MAX_UPLOAD_BYTES = 8 * 1024 ** 3
const HEARTBEAT_MS = 15_000

/** out/renderer next to the bundle (out/node/server.cjs) or above the sources (src/server). */
export function defaultRendererDir(from: string = __dirname): string {
  let dir = from
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'out', 'renderer')
    const sibling = path.join(dir, '..', 'renderer')
    if (path.basename(dir) === 'node' && fs.existsSync(path.join(sibling, 'index.html')))
      return sibling
    dir = path.dirname(dir)
  }
  return path.resolve('out', 'renderer')
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** For 405: the methods the resource does take. */
    readonly allow?: string,
  ) {
    super(message)
  }
}

type ExtraHeaders = Record<string, string>

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: Result<unknown>,
  extra: ExtraHeaders = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...securityHeaders,
    ...extra,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

/** A page request (the user's browser, not the renderer's API calls) gets its refusal as words, not JSON. */
function sendText(
  res: http.ServerResponse,
  status: number,
  message: string,
  extra: ExtraHeaders = {},
): void {
  const text = `Slipway: ${message}\n`
  res.writeHead(status, {
    ...securityHeaders,
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

const isApiPath = (url: URL | null): boolean => url !== null && url.pathname.startsWith('/api/')

/** A Node system error's code (ENOENT, ENOSPC…) says what went wrong without naming a path. */
const systemErrorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined
}

const failure = (code: ErrorCode, message: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { code, message },
})

function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_CALL_BODY_BYTES) {
      reject(
        new HttpError(
          413,
          'INVALID_INPUT',
          `Request body is larger than ${MAX_CALL_BODY_BYTES} bytes`,
        ),
      )
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > MAX_CALL_BODY_BYTES) {
        failed = true
        reject(
          new HttpError(
            413,
            'INVALID_INPUT',
            `Request body is larger than ${MAX_CALL_BODY_BYTES} bytes`,
          ),
        )
        return
      }
      chunks.push(chunk)
    })
    req.on('error', reject)
    req.on('end', () => {
      if (failed) return
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new HttpError(400, 'INVALID_INPUT', 'Request body is not valid JSON'))
      }
    })
  })
}

/** What the request handlers of one running server share. */
interface ServerState {
  slipway: Slipway
  rendererDir: string
  maxUploadBytes: number
  /** The API token. */
  token: string
  /** The cookie's secret: opens the page's own files only, never the API. */
  pageSecret: string
  streams: Set<http.ServerResponse>
  /** Set once the server listens. */
  port: number
}

function authorised(
  state: ServerState,
  req: http.IncomingMessage,
  query: URLSearchParams | null,
): boolean {
  return tokensMatch(requestToken(req.headers, query), state.token)
}

function serveStatic(
  state: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): void {
  const { token, pageSecret, port, rendererDir } = state
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError(405, 'INVALID_INPUT', 'Only GET and HEAD are allowed here', 'GET, HEAD')
  }
  const byQuery = tokensMatch(url.searchParams.get('token'), token)
  const cookie = cookieToken(req.headers.cookie, port)
  if (!byQuery && !tokensMatch(cookie, pageSecret) && !tokensMatch(cookie, token)) {
    throw new HttpError(
      401,
      'UNAUTHORIZED',
      'Open the address printed by the server, with its token',
    )
  }
  const file = resolveStaticPath(rendererDir, url.pathname)
  if (!file) throw new HttpError(404, 'NOT_FOUND', 'Not found')
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    if (url.pathname === '/' || url.pathname === '/index.html') {
      // The folder is for the person at the terminal; the page shows no path of the machine.
      console.error(`Slipway web mode: no built renderer in ${rendererDir}`)
      throw new HttpError(503, 'INTERNAL', 'The renderer is not built; run npm run build')
    }
    throw new HttpError(404, 'NOT_FOUND', 'Not found')
  }
  if (!stat.isFile()) throw new HttpError(404, 'NOT_FOUND', 'Not found')
  // Read from the descriptor that was checked: a rebuild may remove or replace the file
  // meanwhile. Non-blocking, so a FIFO swapped in cannot hang the open.
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
    stat = fs.fstatSync(fd)
  } catch {
    throw new HttpError(404, 'NOT_FOUND', 'Not found')
  }
  if (!stat.isFile()) {
    fs.closeSync(fd)
    throw new HttpError(404, 'NOT_FOUND', 'Not found')
  }
  const headers: Record<string, string | number | string[]> = {
    ...securityHeaders,
    'Content-Type': contentTypeFor(file),
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache',
  }
  if (byQuery) {
    // Lets the page's own scripts and styles load without the token in their URLs.
    headers['Set-Cookie'] = `${cookieName(port)}=${pageSecret}; HttpOnly; SameSite=Strict; Path=/`
  }
  res.writeHead(200, headers)
  if (req.method === 'HEAD') {
    fs.closeSync(fd)
    res.end()
    return
  }
  // A read that fails halfway cuts this response off; it must not take the server down.
  pipeline(fs.createReadStream('', { fd }), res).catch(() => res.destroy())
}

function checkApiRequest(state: ServerState, req: http.IncomingMessage, method: string): void {
  const { port } = state
  if (req.method !== method) {
    throw new HttpError(405, 'INVALID_INPUT', `Use ${method} here`, method)
  }
  if (!isAllowedOrigin(req.headers.origin, port)) {
    throw new HttpError(403, 'UNAUTHORIZED', 'Cross-origin requests are refused')
  }
}

async function handleCall(
  state: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
): Promise<void> {
  const { slipway } = state
  checkApiRequest(state, req, 'POST')
  if (!authorised(state, req, null))
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong token')
  if (!isCallName(name)) throw new HttpError(404, 'INVALID_INPUT', `Unknown call ${name}`)
  const input = await readJsonBody(req)
  const result = await slipway.invoke(name, input, { face: 'web', readLocalPaths: false })
  sendJson(res, 200, result)
}

async function handleUpload(
  state: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const { slipway, maxUploadBytes } = state
  checkApiRequest(state, req, 'POST')
  if (!authorised(state, req, null))
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong token')
  const name = url.searchParams.get('name')
  if (!name) throw new HttpError(400, 'INVALID_INPUT', 'Upload needs ?name=FILENAME')
  const tooLarge = (): HttpError =>
    new HttpError(
      413,
      'INVALID_INPUT',
      `${safeFileName(name)} is larger than ${maxUploadBytes} bytes, the most web mode accepts`,
    )
  if (/^multipart\//i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(
      415,
      'INVALID_INPUT',
      `${safeFileName(name)}: send the file's bytes as the request body, not as a form`,
    )
  }
  if (Number(req.headers['content-length'] ?? 0) > maxUploadBytes) throw tooLarge()
  // The store destroys the stream it reads when it gives up; handing it this counting copy
  // rather than the request keeps the connection alive to carry the answer.
  let received = 0
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      if (received > maxUploadBytes) done(tooLarge())
      else done(null, chunk)
    },
  })
  req.on('error', (error) => body.destroy(error))
  req.on('close', () => {
    if (!req.complete) body.destroy(new HttpError(400, 'INVALID_INPUT', 'The upload stopped'))
  })
  req.pipe(body)
  const upload = await slipway.upload(body, name, maxUploadBytes)
  sendJson(res, 200, {
    ok: true,
    value: { uploadId: upload.uploadId, fileName: upload.fileName, size: upload.size },
  })
}

function handleEvents(
  state: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): void {
  const { slipway, streams } = state
  checkApiRequest(state, req, 'GET')
  if (!authorised(state, req, url.searchParams))
    throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong token')
  res.writeHead(200, {
    ...securityHeaders,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  })
  res.write('retry: 2000\n: connected\n\n')
  streams.add(res)
  const send = (event: ApiEvent): void => {
    res.write(`data: ${JSON.stringify({ name: event.name, payload: event.payload })}\n\n`)
  }
  const unsubscribe = slipway.onEvent(send)
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS)
  heartbeat.unref()
  const stop = (): void => {
    clearInterval(heartbeat)
    unsubscribe()
    streams.delete(res)
  }
  req.on('close', stop)
  res.on('close', stop)
}

/** Routes one request: the API calls, uploads, the event stream, or the page's files. */
async function handle(
  state: ServerState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL | null,
): Promise<void> {
  const { port } = state
  if (!isAllowedHost(req.headers.host, port)) {
    throw new HttpError(403, 'UNAUTHORIZED', 'Unexpected Host header')
  }
  // Absolute-form (`http://other/…`) would name a host other than the checked Host header.
  if (!url) throw new HttpError(400, 'INVALID_INPUT', 'The request target must be a path')
  const pathname = url.pathname
  if (pathname.startsWith('/api/call/')) {
    let name: string
    try {
      name = decodeURIComponent(pathname.slice('/api/call/'.length))
    } catch {
      throw new HttpError(404, 'INVALID_INPUT', 'Malformed call name')
    }
    return handleCall(state, req, res, name)
  }
  if (pathname === '/api/upload') return handleUpload(state, req, res, url)
  if (pathname === '/api/events') return handleEvents(state, req, res, url)
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'NOT_FOUND', 'Not found')
  return serveStatic(state, req, res, url)
}

/** Answers a request that failed: text for the page's files, the contract's failure for the API. */
function answerFailure(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL | null,
  error: unknown,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  // The client went away (a cancelled upload): there is no one to answer and nothing to report.
  if (req.socket.destroyed) return
  const extra: ExtraHeaders = {}
  // A refused body is not read: closing the connection stops the client sending the rest, and
  // keeps the bytes it already sent from being taken for its next request.
  if (!req.complete) extra['Connection'] = 'close'
  if (error instanceof HttpError && error.allow) extra['Allow'] = error.allow
  if (error instanceof HttpError && !isApiPath(url)) {
    sendText(res, error.status, error.message, extra)
  } else if (error instanceof HttpError) {
    sendJson(res, error.status, failure(error.code, error.message), extra)
  } else if (isSlipwayError(error)) {
    sendJson(res, 400, failure(error.code, error.message), extra)
  } else {
    // fs and other Node errors name absolute paths: the details go to the terminal only.
    console.error(`Slipway web mode: ${req.method} ${url?.pathname ?? '?'} failed:`, error)
    const code = systemErrorCode(error)
    sendJson(
      res,
      500,
      failure(
        'INTERNAL',
        `The web server failed on this request${code ? ` (${code})` : ''}; its terminal shows the details`,
      ),
      extra,
    )
  }
  if (!req.complete) req.resume()
}

/** Listens on host:port; a port in use or needing privileges is said in words. */
async function listen(server: http.Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    const code = systemErrorCode(error)
    if (code === 'EADDRINUSE') {
      throw new SlipwayError(
        'CONFLICT',
        `Port ${port} is already in use on ${host}; choose another with --port, or 0 for any free port`,
      )
    }
    if (code === 'EACCES') {
      throw new SlipwayError(
        'INVALID_INPUT',
        `Port ${port} needs privileges on this machine; choose one above 1023, or 0`,
      )
    }
    throw error
  }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const ownsService = !options.slipway
  const slipway = options.slipway ?? new Slipway({ home: options.home })
  const rendererDir = options.rendererDir ?? defaultRendererDir()
  const maxUploadBytes = options.maxUploadBytes ?? MAX_UPLOAD_BYTES
  const token = newToken()
  // Cookies are scoped to the host, not the port: any other server on 127.0.0.1 receives this one,
  // so it carries a secret that opens the page's own files only, never the API token.
  const pageSecret = newToken()
  const state: ServerState = {
    slipway,
    rendererDir,
    maxUploadBytes,
    token,
    pageSecret,
    streams: new Set<http.ServerResponse>(),
    port: 0,
  }

  const server = http.createServer((req, res) => {
    const url = parseRequestTarget(req.url)
    handle(state, req, res, url).catch((error: unknown) => answerFailure(req, res, url, error))
  })

  const host = options.host ?? '127.0.0.1'
  try {
    await listen(server, options.port ?? 0, host)
  } catch (error) {
    if (ownsService) slipway.close()
    throw error
  }
  const port = (server.address() as AddressInfo).port
  state.port = port

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    slipway,
    close: async () => {
      for (const stream of state.streams) stream.end()
      state.streams.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (ownsService) slipway.close()
    },
  }
}
