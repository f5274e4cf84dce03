// An S3-protocol server for tests and benchmarks: s3rver on 127.0.0.1, patched to behave like
// real S3 where the shared store depends on it. Run as a child process:
//   node --openssl-legacy-provider test/helpers/s3-server.cjs DIR BUCKET [--no-conditional]
// It prints `{"port":N}` on stdout once listening. `--no-conditional` leaves s3rver's own
// behaviour (If-None-Match ignored), to test that `remote add` refuses such an endpoint.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { pipeline } = require('node:stream/promises')
const { Transform } = require('node:stream')
const S3rver = require('s3rver')

const [dir, bucket, ...flags] = process.argv.slice(2)
const conditional = !flags.includes('--no-conditional')
const dataDir = path.join(dir, 'data')
const tmpDir = path.join(dir, 'tmp')
fs.mkdirSync(dataDir, { recursive: true })
fs.mkdirSync(tmpDir, { recursive: true })

const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  directory: dataDir,
  silent: true,
  configureBuckets: [{ name: bucket }],
})

// s3rver writes objects in place, so an interrupted PUT leaves a truncated object visible.
// Real S3 never does: write to a temporary file, then rename. The metadata files go first; the
// object file is what makes a key visible.
const store = server.store
store.putObject = async function putObject(object) {
  const target = this.getResourcePath(object.bucket, object.key, 'object')
  const tmp = path.join(tmpDir, crypto.randomBytes(12).toString('hex'))
  const md5 = crypto.createHash('md5')
  let size = 0
  const tap = new Transform({
    transform(chunk, _enc, done) {
      md5.update(chunk)
      size += chunk.length
      done(null, chunk)
    },
  })
  try {
    if (Buffer.isBuffer(object.content)) {
      md5.update(object.content)
      size = object.content.length
      await fs.promises.writeFile(tmp, object.content)
    } else {
      const aborted = new Promise((_resolve, reject) => {
        object.content.once?.('aborted', () => reject(new Error('request aborted')))
      })
      await Promise.race([pipeline(object.content, tap, fs.createWriteStream(tmp)), aborted])
    }
    const expected = Number(object.metadata?.['content-length'])
    if (
      Number.isFinite(expected) &&
      expected > 0 &&
      !object.metadata?.['x-amz-decoded-content-length'] &&
      size !== expected
    )
      throw new Error(`short body: ${size} of ${expected} bytes`)
    const digest = md5.digest('hex')
    await fs.promises.mkdir(path.dirname(target), { recursive: true })
    await this.putMetadata(object.bucket, object.key, object.metadata, digest)
    await fs.promises.rename(tmp, target)
    return { size, md5: digest }
  } catch (error) {
    await fs.promises.rm(tmp, { force: true })
    throw error
  }
}

// s3rver ignores If-None-Match on PUT. Answer 412 for an existing key, holding a per-key lock
// from the check to the end of the write so that racing create-only PUTs let exactly one in.
const locks = new Map()
async function withKeyLock(key, fn) {
  while (locks.has(key)) await locks.get(key)
  let release
  locks.set(key, new Promise((resolve) => (release = resolve)))
  try {
    return await fn()
  } finally {
    locks.delete(key)
    release()
  }
}
if (conditional) {
  server.middleware.unshift(async (ctx, next) => {
    const createOnly = ctx.get('if-none-match') === '*'
    const isWrite =
      (ctx.method === 'PUT' && !('partNumber' in ctx.query) && !ctx.get('x-amz-copy-source')) ||
      (ctx.method === 'POST' && 'uploadId' in ctx.query)
    if (!createOnly || !isWrite) return next()
    const parts = ctx.path.split('/').filter(Boolean)
    const objectBucket = decodeURIComponent(parts[0] ?? '')
    const key = parts.slice(1).map(decodeURIComponent).join('/')
    return withKeyLock(`${objectBucket}/${key}`, async () => {
      if (await store.existsObject(objectBucket, key)) {
        ctx.status = 412
        ctx.set('Content-Type', 'application/xml')
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>'
        return
      }
      await next()
    })
  })
}

server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  (error) => {
    process.stderr.write(String(error?.stack ?? error) + '\n')
    process.exit(1)
  },
)
