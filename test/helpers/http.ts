// Raw HTTP to a web-mode server on 127.0.0.1, as a browser or a hostile local process sends it.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'

export interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: Buffer | string
}

/**
 * One request on a fresh connection (a refused body must not poison the next request), with the
 * Host header the server expects unless the caller overrides it.
 */
export function httpRequest(
  port: number,
  urlPath: string,
  options: RequestOptions = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: options.method ?? 'GET',
        agent: false,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * A small stand-in for the built renderer under `home` (index.html and one script), for a server
 * test that needs static files but not the app; returns its folder.
 */
export function standInRenderer(home: string): string {
  const dir = path.join(home, 'renderer')
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Slipway</title>')
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)')
  return dir
}
