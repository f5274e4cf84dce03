// Many writers at once, and pushes killed at random moments, against a folder and s3rver:
// four homes publish 25 versions each of one model at the same time (100 versions, 100 distinct
// team numbers, every home pulls the identical list), and `kill -9` of a push never lets a
// reader see a partial version while the next push completes.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture } from '../helpers/home'
import { startS3Server, type TestS3Server } from '../helpers/s3'
import { cliIn, json } from '../helpers/cli'
import { folderStore, s3Store, type StoreHandle } from '../helpers/team-store'

let s3: TestS3Server
let work: string
const CLI = path.resolve(__dirname, '..', '..', 'out', 'node', 'cli.cjs')

beforeAll(async () => {
  s3 = await startS3Server()
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-many-'))
})
afterAll(async () => {
  await s3?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

function varint(n: number): Buffer {
  const bytes: number[] = []
  while (n > 127) {
    bytes.push((n & 127) | 128)
    n = Math.floor(n / 128)
  }
  bytes.push(n)
  return Buffer.from(bytes)
}

/** A valid ONNX model with distinct bytes: the fixture plus an unknown field readers skip. */
function variant(dir: string, label: string, padding = 0): string {
  const extra = Buffer.concat([Buffer.from(label), randomBytes(padding)])
  const file = path.join(dir, `${label}.onnx`)
  fs.writeFileSync(
    file,
    Buffer.concat([
      fs.readFileSync(fixture('models', 'linear_binary.onnx')),
      varint((2000 << 3) | 2),
      varint(extra.length),
      extra,
    ]),
  )
  return file
}

function publicKeyOf(home: string): string {
  return json<{ publicKey: string }>(cliIn(home)(['--json', 'identity', 'show'])).publicKey
}

/** An admin with a team and a store, and `n` contributors who joined it. */
function team(
  name: string,
  store: StoreHandle,
  n: number,
): { admin: string; members: string[]; root: string } {
  const base = path.join(work, name)
  const admin = path.join(base, 'admin')
  cliIn(admin)(['identity', 'init', '--name', 'Ada', '--email', 'ada@example.com'])
  cliIn(admin)(['team', 'init', '--name', name])
  const members = Array.from({ length: n }, (_, i) => path.join(base, `member-${i}`))
  for (const [i, home] of members.entries()) {
    cliIn(home)(['identity', 'init', '--name', `M${i}`, '--email', `m${i}@example.com`])
    cliIn(admin)([
      'team',
      'add-member',
      '--public-key',
      publicKeyOf(home),
      '--name',
      `M${i}`,
      '--email',
      `m${i}@example.com`,
      '--role',
      'contributor',
    ])
  }
  const root = json<{ rootFingerprint: string }>(
    cliIn(admin)(['--json', 'team', 'show']),
  ).rootFingerprint
  cliIn(admin)(['remote', 'add', 'team', store.location, ...store.args])
  for (const home of members)
    cliIn(home)(['remote', 'add', 'team', store.location, ...store.args, '--trust', root])
  return { admin, members, root }
}

function runAsync(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

interface VersionRow {
  version: number
  sha256: string
  teamNumber: number | null
}

describe.each([
  ['folder', (name: string) => folderStore(path.join(work, `store-${name}`))],
  ['s3', (name: string) => s3Store(s3, name)],
])('on %s', (backend, makeStore) => {
  it('four homes publish 25 versions each at once: 100 distinct numbers, identical everywhere', async () => {
    const store = makeStore('four')
    const { admin, members } = team(`${backend}-four`, store, 4)
    const files = path.join(work, `${backend}-files`)
    fs.mkdirSync(files, { recursive: true })
    for (const [h, home] of members.entries()) {
      const mine = Array.from({ length: 25 }, (_, i) => variant(files, `h${h}-v${i}`))
      cliIn(home)(['register', ...mine, '--model', 'churn'])
    }
    // Four processes at once, each publishing its 25 versions one after the other.
    const refs = Array.from({ length: 25 }, (_, v) => `churn@${v + 1}`)
    const results = await Promise.all(
      members.map(async (home) => {
        const run = await runAsync(['--home', home, '--json', 'push', ...refs])
        expect(run.status, run.stdout + run.stderr).toBe(0)
        return (JSON.parse(run.stdout) as { version: number }[]).map((r) => r.version)
      }),
    )
    const numbers = results.flat()
    expect(new Set(numbers).size).toBe(100)
    // Every home (and the admin, who published nothing) pulls and sees the same list.
    const lists: string[] = []
    for (const home of [...members, admin]) {
      cliIn(home)(['pull'])
      const versions = json<VersionRow[]>(cliIn(home)(['--json', 'versions', 'churn']))
      expect(versions).toHaveLength(100)
      lists.push(
        JSON.stringify(
          versions
            .map((v) => [v.teamNumber, v.sha256])
            .sort((a, b) => (a[0] as number) - (b[0] as number)),
        ),
      )
    }
    expect(new Set(lists).size).toBe(1)
    expect(
      (JSON.parse(lists[0]!) as [number, string][]).every(([n]) => typeof n === 'number'),
    ).toBe(true)
  }, 600_000)

  it('kill -9 of a push at random moments (20 trials): the next push completes, no reader sees a partial version', async () => {
    const store = makeStore('kill')
    const { members } = team(`${backend}-kill`, store, 2)
    const [writer, reader] = members as [string, string]
    const files = path.join(work, `${backend}-kill-files`)
    fs.mkdirSync(files, { recursive: true })
    for (let trial = 1; trial <= 20; trial++) {
      // 20 MB: more than one multipart part on S3, so a kill can land between parts.
      const file = variant(files, `k${trial}`, 20 * 1024 * 1024)
      const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex')
      cliIn(writer)(['register', file, '--model', 'big'])
      const child = spawn(process.execPath, [CLI, '--home', writer, 'push', `big@${trial}`], {
        stdio: 'ignore',
      })
      // Listened for before the wait: on a fast machine the push may finish before the kill, and
      // an 'exit' already emitted is never emitted again.
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 900)))
      child.kill('SIGKILL')
      await exited
      // The reader sees either nothing of this version or all of it, verified.
      const pulled = json<{ rejected: { object: string; reason: string }[] }>(
        cliIn(reader)(['--json', 'pull']),
      )
      expect(pulled.rejected, `trial ${trial}`).toEqual([])
      const seen = json<VersionRow[]>(
        cliIn(reader)(['--json', 'versions', 'big'], null).status === 0
          ? cliIn(reader)(['--json', 'versions', 'big'])
          : { stdout: '[]', stderr: '', status: 0, json: () => [] },
      )
      for (const v of seen) expect(v.teamNumber, `trial ${trial}`).not.toBeNull()
      // The next push completes.
      const again = json<{ sha256: string; version: number }>(
        cliIn(writer)(['--json', 'push', `big@${trial}`]),
      )
      expect(again.sha256).toBe(sha)
    }
    cliIn(reader)(['pull'])
    const versions = json<VersionRow[]>(cliIn(reader)(['--json', 'versions', 'big']))
    expect(versions).toHaveLength(20)
    expect(new Set(versions.map((v) => v.teamNumber)).size).toBe(20)
    const audit = cliIn(members[0]!)(['--json', 'audit', 'verify', '--remote', 'team'])
    expect(json<{ ok: boolean }>(audit).ok).toBe(true)
  }, 600_000)
})
