// A registry whose write lock another process holds: calls fail with BUSY and leave no blob, a
// call killed while it waits leaves nothing the next start does not remove, and the start-up
// sweep removes blobs nothing references (after a grace period for writers in flight).
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ORPHAN_GRACE_MS } from '../../src/core/artifacts/leases'
import { Slipway } from '../../src/core/service'
import { blobFiles, fixture, tempHome } from '../helpers/home'

const root = path.resolve(__dirname, '..', '..')
const cli = path.join(root, 'out', 'node', 'cli.cjs')

let home: { dir: string; cleanup: () => void }
const children: ChildProcess[] = []
beforeEach(() => {
  home = tempHome()
})
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  home.cleanup()
})

/** Another process that takes the registry's write lock and holds it for `ms`. */
async function holdWriteLock(ms: number): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1])
    db.pragma('busy_timeout = 5000')
    db.prepare('BEGIN IMMEDIATE').run()
    process.stdout.write('locked\\n')
    setTimeout(() => { db.prepare('ROLLBACK').run(); db.close(); process.exit(0) }, ${ms})
  `
  const child = spawn(process.execPath, ['-e', script, path.join(home.dir, 'registry.sqlite')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      if (data.toString().includes('locked')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)))
  })
  return child
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.on('exit', () => resolve())
  })

const tmpFiles = (): string[] => fs.readdirSync(path.join(home.dir, 'blobs', 'tmp'))
const leases = (slipway: Slipway): number =>
  (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM blob_leases').get() as { n: number }).n

describe('a busy registry', () => {
  it('refuses register with BUSY and keeps no blob', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      const holder = await holdWriteLock(9000)
      const result = await slipway.invoke(
        'registry:register',
        { file: { path: fixture('models', 'tree_ensemble.onnx') }, model: 'churn' },
        { face: 'cli', readLocalPaths: true },
      )
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'BUSY',
          message: expect.stringMatching(
            /^Storing tree_ensemble\.onnx could not run: the registry is busy.*Nothing was changed; try again/,
          ),
        },
      })
      expect(blobFiles(home.dir).filter((f) => !f.includes(`${path.sep}tmp${path.sep}`))).toEqual(
        [],
      )
      expect(tmpFiles()).toEqual([])
      holder.kill('SIGKILL')
      await exited(holder)
      expect(leases(slipway)).toBe(0)
    } finally {
      slipway.close()
    }
  })

  it('refuses dataset add with BUSY, not BAD_FILE, and keeps no blob', async () => {
    const slipway = new Slipway({ home: home.dir })
    try {
      const holder = await holdWriteLock(9000)
      const job = await slipway.call('datasets:add', {
        file: { path: fixture('data', 'linear_binary-eval.csv') },
        name: 'busy-set',
      })
      const finished = await slipway.core.jobs.wait(job.id)
      expect(finished).toMatchObject({
        status: 'failed',
        error: { code: 'BUSY', message: expect.stringContaining('the registry is busy') },
      })
      expect(blobFiles(home.dir)).toEqual([])
      holder.kill('SIGKILL')
      await exited(holder)
      expect(
        (slipway.core.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n,
      ).toBe(0)
    } finally {
      slipway.close()
    }
  })

  it('says BUSY on the command line too, with exit code 1', async () => {
    new Slipway({ home: home.dir }).close()
    const holder = await holdWriteLock(9000)
    const run = spawn(
      process.execPath,
      [
        cli,
        'register',
        fixture('models', 'linear_binary.onnx'),
        '--model',
        'm',
        '--home',
        home.dir,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    children.push(run)
    let stdout = ''
    run.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve))
    holder.kill('SIGKILL')
    expect(code).toBe(1)
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'BUSY' } })
    expect(blobFiles(home.dir)).toEqual([])
  })

  it('leaves nothing behind when a register waiting for the lock is killed', async () => {
    new Slipway({ home: home.dir }).close()
    const holder = await holdWriteLock(15_000)
    const run = spawn(
      process.execPath,
      [
        cli,
        'register',
        fixture('models', 'tree_ensemble.onnx'),
        '--model',
        'm',
        '--home',
        home.dir,
      ],
      { stdio: 'ignore' },
    )
    children.push(run)
    // Killed while it waits for the lock, with its copy of the bytes already made.
    const started = Date.now()
    while (
      tmpFiles().length === 0 &&
      blobFiles(home.dir).length === 0 &&
      Date.now() - started < 4000
    )
      await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, 300))
    run.kill('SIGKILL')
    await exited(run)
    holder.kill('SIGKILL')
    await exited(holder)
    const slipway = new Slipway({ home: home.dir })
    try {
      expect(blobFiles(home.dir)).toEqual([])
      expect(tmpFiles()).toEqual([])
      expect(leases(slipway)).toBe(0)
    } finally {
      slipway.close()
    }
  })
})

describe('the start-up sweep of unreferenced blobs', () => {
  it('removes old orphans and keeps referenced, leased and fresh ones', async () => {
    const first = new Slipway({ home: home.dir })
    const registered = await first.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    const plant = (content: string, ageMs: number): string => {
      const sha = createHash('sha256').update(content).digest('hex')
      const file = path.join(home.dir, 'blobs', sha.slice(0, 2), sha)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, content)
      const at = new Date(Date.now() - ageMs)
      fs.utimesSync(file, at, at)
      return sha
    }
    const old = plant('orphan from a crash', ORPHAN_GRACE_MS + 60_000)
    const fresh = plant('a writer of an older version, in flight', 1000)
    const leased = plant('leased by a live call', ORPHAN_GRACE_MS + 60_000)
    first.core.db
      .prepare('INSERT INTO blob_leases (sha256, pid, created_at) VALUES (?, ?, ?)')
      .run(leased, process.pid, new Date().toISOString())
    // The registered version's blob is old too, but referenced.
    const registeredFile = path.join(
      home.dir,
      'blobs',
      registered.sha256.slice(0, 2),
      registered.sha256,
    )
    const longAgo = new Date(Date.now() - 2 * ORPHAN_GRACE_MS)
    fs.utimesSync(registeredFile, longAgo, longAgo)
    first.close()

    new Slipway({ home: home.dir }).close()
    const names = blobFiles(home.dir)
      .map((f) => path.basename(f))
      .sort()
    expect(names).toEqual([registered.sha256, fresh, leased].sort())
    expect(names).not.toContain(old)
  })
})
