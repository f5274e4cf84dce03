// Web mode: the built renderer and the whole API over HTTP on loopback, guarded by a random token.
// Static files, `POST /api/call/:name`, `POST /api/upload`, and server-sent events at `/api/events`.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { ApiEvent } from '../api/calls'
import { isCallName } from '../api/calls'
import type { ApiError, ErrorCode, Result } from '../api/errors'
import { isSlipwayError } from '../api/errors'
import { Slipway } from '../core/service'
import {
  contentTypeFor,
  cookieName,
  cookieToken,
  isAllowedHost,
  isAllowedOrigin,
  newToken,
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
}

export interface RunningServer {
  url: string
  token: string
  port: number
  slipway: Slipway
  close(): Promise<void>
}

export const MAX_CALL_BODY_BYTES = 1024 * 1024
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
  ) {
    super(message)
  }
}

function sendJson(res: http.ServerResponse, status: number, body: Result<unknown>): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

/** A page request (the user's browser, not the renderer's API calls) gets its refusal as words, not JSON. */
function sendText(res: http.ServerResponse, status: number, message: string): void {
  const text = `Slipway: ${message}\n`
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

const isApiPath = (requestUrl: string | undefined): boolean =>
  (requestUrl ?? '/').startsWith('/api/')

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

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const ownsService = !options.slipway
  const slipway = options.slipway ?? new Slipway({ home: options.home })
  const rendererDir = options.rendererDir ?? defaultRendererDir()
  const token = newToken()
  const streams = new Set<http.ServerResponse>()
  let port = 0

  const authorised = (req: http.IncomingMessage, query: URLSearchParams | null): boolean =>
    tokensMatch(requestToken(req.headers, query), token)

  const serveStatic = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'INVALID_INPUT', 'Only GET and HEAD are allowed here')
    }
    const byQuery = tokensMatch(url.searchParams.get('token'), token)
    if (!byQuery && !tokensMatch(cookieToken(req.headers.cookie, port), token)) {
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
        throw new HttpError(
          503,
          'INTERNAL',
          `The renderer is not built (${rendererDir}); run npm run build`,
        )
      }
      throw new HttpError(404, 'NOT_FOUND', 'Not found')
    }
    if (!stat.isFile()) throw new HttpError(404, 'NOT_FOUND', 'Not found')
    const headers: Record<string, string | number | string[]> = {
      ...securityHeaders,
      'Content-Type': contentTypeFor(file),
      'Content-Length': stat.size,
      'Cache-Control': 'no-cache',
    }
    if (byQuery) {
      // Lets the page's own scripts and styles load without the token in their URLs.
      headers['Set-Cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    res.writeHead(200, headers)
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    fs.createReadStream(file).pipe(res)
  }

  const checkApiRequest = (req: http.IncomingMessage, method: string): void => {
    if (req.method !== method) throw new HttpError(405, 'INVALID_INPUT', `Use ${method} here`)
    if (!isAllowedOrigin(req.headers.origin, port)) {
      throw new HttpError(403, 'UNAUTHORIZED', 'Cross-origin requests are refused')
    }
  }

  const handleCall = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    name: string,
  ): Promise<void> => {
    checkApiRequest(req, 'POST')
    if (!authorised(req, null)) throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong token')
    if (!isCallName(name)) throw new HttpError(404, 'INVALID_INPUT', `Unknown call ${name}`)
    const input = await readJsonBody(req)
    const result = await slipway.invoke(name, input, { face: 'web' })
    sendJson(res, 200, result)
  }

  const handleUpload = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> => {
    checkApiRequest(req, 'POST')
    if (!authorised(req, null)) throw new HttpError(401, 'UNAUTHORIZED', 'Missing or wrong token')
    const name = url.searchParams.get('name')
    if (!name) throw new HttpError(400, 'INVALID_INPUT', 'Upload needs ?name=FILENAME')
    const upload = await slipway.core.uploads.create(req, name)
    sendJson(res, 200, {
      ok: true,
      value: { uploadId: upload.uploadId, fileName: upload.fileName, size: upload.size },
    })
  }

  const handleEvents = (req: http.IncomingMessage, res: http.ServerResponse, url: URL): void => {
    checkApiRequest(req, 'GET')
    if (!authorised(req, url.searchParams))
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

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!isAllowedHost(req.headers.host, port)) {
      throw new HttpError(403, 'UNAUTHORIZED', 'Unexpected Host header')
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    const pathname = url.pathname
    if (pathname.startsWith('/api/call/')) {
      let name: string
      try {
        name = decodeURIComponent(pathname.slice('/api/call/'.length))
      } catch {
        throw new HttpError(404, 'INVALID_INPUT', 'Malformed call name')
      }
      return handleCall(req, res, name)
    }
    if (pathname === '/api/upload') return handleUpload(req, res, url)
    if (pathname === '/api/events') return handleEvents(req, res, url)
    if (pathname.startsWith('/api/')) throw new HttpError(404, 'NOT_FOUND', 'Not found')
    return serveStatic(req, res, url)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      if (error instanceof HttpError && !isApiPath(req.url)) {
        sendText(res, error.status, error.message)
      } else if (error instanceof HttpError) {
        sendJson(res, error.status, failure(error.code, error.message))
      } else if (isSlipwayError(error)) {
        sendJson(res, 400, failure(error.code, error.message))
      } else {
        sendJson(
          res,
          500,
          failure('INTERNAL', error instanceof Error ? error.message : String(error)),
        )
      }
      // A refused body is not read; stop the client sending the rest.
      if (!req.complete) req.resume()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    slipway,
    close: async () => {
      for (const stream of streams) stream.end()
      streams.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      if (ownsService) slipway.close()
    },
  }
}
