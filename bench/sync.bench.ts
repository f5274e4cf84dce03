// The shared store on s3rver (127.0.0.1, started here): push and fetch of a 200 MB model against
// the raw SDK (lib-storage Upload, GetObject to a file) on the same server in the same run, and
// a no-op pull of a store holding 10,000 records (time and request count).
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { Slipway } from '../src/core/service'
import { appendSigned } from '../src/core/governance/store'
import { fetchAliased } from '../src/core/sync/fetch'
import { openRemoteStore } from '../src/core/sync/open'
import { s3ClientConfig } from '../src/core/sync/s3-store'

const dataDir = path.resolve('bench/.data')
const modelFile = path.join(dataDir, 'large-200mb.onnx')
fs.mkdirSync(dataDir, { recursive: true })
if (!fs.existsSync(modelFile))
  execFileSync('/usr/bin/python3', ['bench/make_large_model.py', modelFile, '7072'], {
    stdio: 'inherit',
  })
const size = fs.statSync(modelFile).size

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const mbps = (ms: number): string => `${(size / 1e6 / (ms / 1000)).toFixed(0)} MB/s`

async function startServer(dir: string): Promise<{ endpoint: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', path.resolve('test/helpers/s3-server.cjs'), dir, 'bench'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const line = await new Promise<string>((resolve) =>
    readline.createInterface({ input: child.stdout! }).once('line', resolve),
  )
  return {
    endpoint: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`,
    stop: () => child.kill(),
  }
}

function varint(n: number): Buffer {
  const bytes: number[] = []
  while (n > 127) {
    bytes.push((n & 127) | 128)
    n = Math.floor(n / 128)
  }
  bytes.push(n)
  return Buffer.from(bytes)
}

/** The big model with a distinct tail (an unknown field ONNX readers skip): new bytes per run. */
function variant(dir: string, i: number): string {
  const file = path.join(dir, `v${i}.onnx`)
  const tail = Buffer.from(`bench-${i}`)
  fs.copyFileSync(modelFile, file)
  fs.appendFileSync(file, Buffer.concat([varint((2000 << 3) | 2), varint(tail.length), tail]))
  return file
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-sync-'))
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER'
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER'
  const server = await startServer(path.join(work, 's3'))
  const client = new S3Client(s3ClientConfig({ endpoint: server.endpoint }))
  try {
    // Two homes: the admin publishes and moves production, the approver approves.
    const adminHome = path.join(work, 'admin')
    const approverHome = path.join(work, 'approver')
    const admin = new Slipway({ home: adminHome })
    const approver = new Slipway({ home: approverHome })
    await admin.call('identity:init', { name: 'Ada', email: 'ada@example.com' })
    await approver.call('identity:init', { name: 'Bo', email: 'bo@example.com' })
    await admin.call('team:init', { name: 'Bench' })
    const key = (await approver.call('identity:show', {}))!.publicKey
    await admin.call('team:add-member', {
      publicKey: key,
      name: 'Bo',
      email: 'bo@example.com',
      role: 'approver',
    })
    const root = (await admin.call('team:show', {}))!.rootFingerprint
    const location = 's3://bench/team'
    await admin.call('sync:remote-add', { name: 'team', location, endpoint: server.endpoint })
    await approver.call('sync:remote-add', {
      name: 'team',
      location,
      endpoint: server.endpoint,
      trust: root,
    })

    const files = path.join(work, 'files')
    fs.mkdirSync(files)
    const raw: number[] = []
    const ours: number[] = []
    for (let i = 1; i <= 3; i++) {
      const file = variant(files, i)
      await admin.call('registry:register', { file: { path: file }, model: 'big' })
      let t = performance.now()
      await new Upload({
        client,
        params: { Bucket: 'bench', Key: `raw/${i}`, Body: fs.createReadStream(file) },
      }).done()
      raw.push(performance.now() - t)
      t = performance.now()
      await admin.call('sync:push', { model: 'big', ref: i })
      ours.push(performance.now() - t)
    }
    console.log(`model file: ${(size / 1e6).toFixed(1)} MB, s3rver on 127.0.0.1`)
    console.log(
      `raw SDK Upload (lib-storage): ${median(raw).toFixed(0)} ms (median of 3, ${mbps(median(raw))})`,
    )
    console.log(
      `slipway push:                 ${median(ours).toFixed(0)} ms (median of 3, ${mbps(median(ours))}; hash check, multipart, records, team number)`,
    )
    console.log(
      `push throughput ratio (raw time / push time): ${(median(raw) / median(ours)).toFixed(2)}x (goal >= 0.8)`,
    )

    // Approve and move production so fetch has a chain of trust to verify.
    const request = await admin.call('requests:create', {
      model: 'big',
      ref: 3,
      alias: 'production',
      comment: 'bench',
    })
    await admin.call('sync:run', {})
    await approver.call('sync:pull', {})
    await approver.call('requests:approve', { id: request.id, comment: 'ok' })
    await approver.call('sync:run', {})
    await admin.call('sync:pull', {})
    await admin.call('registry:set-alias', { model: 'big', version: 3, alias: 'production' })
    await admin.call('sync:run', {})

    const rawGet: number[] = []
    const fetches: number[] = []
    const store = openRemoteStore(location, { endpoint: server.endpoint })
    for (let i = 0; i < 3; i++) {
      const rawOut = path.join(work, `raw-${i}.onnx`)
      let t = performance.now()
      const got = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'raw/3' }))
      await pipeline(got.Body as Readable, fs.createWriteStream(rawOut))
      rawGet.push(performance.now() - t)
      fs.rmSync(rawOut)
      const out = path.join(work, `fetched-${i}.onnx`)
      t = performance.now()
      await fetchAliased(store, { model: 'big', alias: 'production', out, trust: root })
      fetches.push(performance.now() - t)
      fs.rmSync(out)
    }
    console.log(
      `raw SDK GetObject to a file:  ${median(rawGet).toFixed(0)} ms (median of 3, ${mbps(median(rawGet))})`,
    )
    console.log(
      `slipway fetch:                ${median(fetches).toFixed(0)} ms (median of 3, ${mbps(median(fetches))}; verifies policy, records, approvals, SHA-256)`,
    )
    console.log(
      `fetch throughput ratio (raw time / fetch time): ${(median(rawGet) / median(fetches)).toFixed(2)}x (goal >= 0.8)`,
    )
    store.close()

    // SLIPWAY_BENCH_PUSH_ONLY=1 stops here (the 10,000-record part takes minutes on s3rver).
    if (process.env.SLIPWAY_BENCH_PUSH_ONLY === '1') {
      admin.close()
      approver.close()
      return
    }
    // A store with 10,000 records: the admin signs them, pushes them; the approver pulls them
    // once, then a pull with nothing new is timed and its requests counted.
    const actor = admin.core.homeActor()
    admin.core.db.transaction(() => {
      for (let i = 0; i < 10_000; i++)
        appendSigned(admin.core, actor, 'tag.set', {
          model: 'big',
          versionSha256: null,
          key: 'bench',
          value: String(i),
        })
    })()
    let t = performance.now()
    await admin.call('sync:run', {})
    const pushMs = performance.now() - t
    t = performance.now()
    const first = await approver.call('sync:pull', {})
    const firstMs = performance.now() - t
    const noop: { ms: number; requests: number }[] = []
    for (let i = 0; i < 3; i++) {
      t = performance.now()
      const again = await approver.call('sync:pull', {})
      noop.push({ ms: performance.now() - t, requests: again.requests })
    }
    const records = (
      admin.core.db.prepare('SELECT COUNT(*) AS n FROM signed_records').get() as { n: number }
    ).n
    console.log(
      `store with ${records} records of the admin (+ the approver's): push of 10,000 records ${pushMs.toFixed(0)} ms`,
    )
    console.log(
      `first pull (10,000 new records): ${firstMs.toFixed(0)} ms, ${first.requests} requests`,
    )
    const m = noop.sort((a, b) => a.ms - b.ms)[1]!
    console.log(
      `no-op pull: ${m.ms.toFixed(0)} ms (median of 3), ${m.requests} requests (first pull: ${first.requests})`,
    )
    admin.close()
    approver.close()
  } finally {
    client.destroy()
    server.stop()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

void main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
