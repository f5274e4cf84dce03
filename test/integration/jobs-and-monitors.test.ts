// Background work: the job manager and worker runner under crashes and crowds, drift
// monitors under real folder use (deleted folders, shutdown mid-run, two processes), the audit chain.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SlipwayError } from '../../src/api/errors'
import { startMonitors, stopMonitors } from '../../src/core/drift/monitors'
import { verifyAuditChain } from '../../src/core/governance/audit'
import { JobManager } from '../../src/core/jobs/manager'
import { maxWorkers, runTaskByName, setWorkerScript } from '../../src/core/jobs/run-task'
import { Slipway } from '../../src/core/service'
import { fixture, tempHome } from '../helpers/home'

/** Polls `check` every 20 ms until it holds; fails after a generous overall timeout. */
async function until(check: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

let home: { dir: string; cleanup: () => void }
let slipway: Slipway
const others: Slipway[] = []

beforeEach(async () => {
  home = tempHome('slipway-jobs-')
  slipway = new Slipway({ home: home.dir, actor: 'ana' })
})
afterEach(() => {
  for (const s of [slipway, ...others.splice(0)]) {
    stopMonitors(s.core)
    if (s.core.db.open) s.close()
  }
  home.cleanup()
})

const count = (s: Slipway, sql: string, ...params: unknown[]): number =>
  (s.core.db.prepare(sql).get(...params) as { n: number }).n

async function folderMonitor(s: Slipway, folder: string): Promise<number> {
  await s.call('registry:register', {
    file: { path: fixture('models', 'linear_binary.onnx') },
    model: 'churn',
  })
  fs.mkdirSync(folder, { recursive: true })
  const monitor = await s.call('monitors:create', {
    model: 'churn',
    reference: { file: { path: fixture('data', 'linear_binary-train.csv') } },
    source: { kind: 'folder', path: folder },
  })
  return monitor.id
}

/**
 * Resolves with the first drift job the moment it starts, before it can have read a byte: the
 * job needs file I/O to get anywhere, and `act` runs in a microtask, ahead of any I/O callback.
 */
function whenDriftStarts(s: Slipway, act: () => void): Promise<string> {
  return new Promise((resolve) => {
    const stop = s.core.jobs.onUpdate((job) => {
      if (job.kind !== 'drift' || job.status !== 'running') return
      stop()
      queueMicrotask(() => {
        act()
        resolve(job.id)
      })
    })
  })
}

const runsOf = (s: Slipway, monitorId: number): number =>
  count(s, 'SELECT COUNT(*) AS n FROM drift_runs WHERE monitor_id = ?', monitorId)

describe('job manager', () => {
  it('a listener that throws breaks neither the job nor its waiters', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const jobs = new JobManager<Record<string, unknown>>()
    jobs.onUpdate(() => {
      throw new Error('window is gone')
    })
    const seen: string[] = []
    jobs.onUpdate((job) => seen.push(job.status))
    const job = jobs.start('x', 'Work', async ({ progress }) => {
      progress(1, 1, 'half')
      return 42
    })
    expect(await jobs.wait(job.id)).toMatchObject({ status: 'done', result: 42 })
    expect(seen.at(-1)).toBe('done')
    expect(logged).toHaveBeenCalled()
    logged.mockRestore()
  })

  it('sends no progress once cancelled, even from work that is slow to stop', async () => {
    const jobs = new JobManager<Record<string, unknown>>()
    const after: string[] = []
    let cancelled = false
    jobs.onUpdate((job) => {
      if (cancelled) after.push(`${job.status} ${job.progress.message}`)
    })
    const job = jobs.start('x', 'Stubborn', ({ signal, progress }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          // Finishing the batch in hand before noticing; a full step bypasses the throttle.
          progress(10, 10, 'still going')
          setTimeout(() => reject(new SlipwayError('CANCELLED', 'stopped')), 1)
        })
      })
    })
    cancelled = true
    jobs.cancel(job.id)
    expect((await jobs.wait(job.id)).status).toBe('cancelled')
    expect(after).toEqual(['cancelled Starting'])
  })

  it('cancel twice, after the end, and wait on an unknown id', async () => {
    const jobs = new JobManager<Record<string, unknown>>()
    const job = jobs.start('x', 'Work', async () => 1)
    await jobs.wait(job.id)
    expect(jobs.cancel(job.id).status).toBe('done')
    const slow = jobs.start('x', 'Slow', ({ signal }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new SlipwayError('CANCELLED', 'stopped')))
      })
    })
    jobs.cancel(slow.id)
    jobs.cancel(slow.id)
    expect((await jobs.wait(slow.id)).status).toBe('cancelled')
    await expect(jobs.wait('unknown123')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('worker runner', () => {
  // The stand-in bundle is for these tests only; the monitors below need the real one.
  afterEach(() => setWorkerScript(''))
  const script = (dir: string): string => {
    const file = path.join(dir, 'qa-worker.cjs')
    // A stand-in worker bundle: each "task" misbehaves in its own way.
    fs.writeFileSync(
      file,
      `const { parentPort, workerData } = require('node:worker_threads')
const { task, payload } = workerData
if (task === 'throw-outside') setTimeout(() => { throw new Error('boom outside the task') }, 1)
else if (task === 'exit') process.exit(3)
else if (task === 'oom') { const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: Math.random() })) }
else if (task === 'crowd') {
  const counters = new Int32Array(payload.shared)
  const now = Atomics.add(counters, 0, 1) + 1
  for (;;) { const max = Atomics.load(counters, 1); if (now <= max || Atomics.compareExchange(counters, 1, max, now) === max) break }
  setTimeout(() => { Atomics.sub(counters, 0, 1); parentPort.postMessage({ type: 'result', value: now }) }, 60)
}
else if (task === 'meet') {
  const flags = new Int32Array(payload.shared)
  Atomics.store(flags, 0, 1)
  Atomics.notify(flags, 0)
  parentPort.postMessage({ type: 'result', value: 'met' })
}
`,
    )
    return file
  }

  it('a worker that throws outside its task, exits or runs out of memory fails with a clear message', async () => {
    setWorkerScript(script(home.dir))
    await expect(runTaskByName('throw-outside', {})).rejects.toThrow(/boom outside the task/)
    await expect(runTaskByName('exit', {})).rejects.toThrow(/exit code 3/)
    await expect(
      runTaskByName('oom', {}, { resourceLimits: { maxOldGenerationSizeMb: 16 } }),
    ).rejects.toThrow(/out of memory/i)
    // The process is still here and runs more work.
    const jobs = new JobManager<Record<string, unknown>>()
    const job = jobs.start('x', 'after', async () => 'fine')
    expect((await jobs.wait(job.id)).status).toBe('done')
  })

  it('more tasks than cores queue for a worker instead of all spawning at once', async () => {
    setWorkerScript(script(home.dir))
    const shared = new SharedArrayBuffer(8)
    const results = await Promise.all(
      Array.from({ length: 12 }, () => runTaskByName('crowd', { shared })),
    )
    expect(results).toHaveLength(12)
    const max = new Int32Array(shared)[1]!
    expect(max).toBeGreaterThanOrEqual(1)
    expect(max).toBeLessThanOrEqual(maxWorkers)
  })

  it('onStart: once it is called, the worker runs while this thread is busy', async () => {
    setWorkerScript(script(home.dir))
    const flags = new Int32Array(new SharedArrayBuffer(4))
    let started = (): void => {}
    const ready = new Promise<void>((resolve) => (started = resolve))
    const meeting = runTaskByName('meet', { shared: flags.buffer }, { onStart: started })
    await ready
    // Synchronous from here: the worker can only set the flag if it already exists (before the
    // fix, a caller's synchronous work ran before the worker was even created).
    expect(Atomics.wait(flags, 0, 0, 10_000)).not.toBe('timed-out')
    expect(await meeting).toBe('met')
  })

  it('a task cancelled while it waits for a worker never starts one', async () => {
    setWorkerScript(script(home.dir))
    const shared = new SharedArrayBuffer(8)
    const running = Array.from({ length: maxWorkers }, () => runTaskByName('crowd', { shared }))
    const controller = new AbortController()
    const messages: string[] = []
    const queued = runTaskByName(
      'crowd',
      { shared },
      {
        signal: controller.signal,
        onProgress: (_done, _total, message) => messages.push(message),
      },
    )
    expect(messages).toEqual(['Waiting for a free worker'])
    controller.abort()
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(await Promise.all(running)).toHaveLength(maxWorkers)
    expect(new Int32Array(shared)[1]).toBeLessThanOrEqual(maxWorkers)
    // The slot bookkeeping is intact: the next task still gets a worker.
    expect(await runTaskByName('crowd', { shared })).toBeGreaterThanOrEqual(1)
  })
})

describe('folder monitors', () => {
  it('a watched folder deleted and created again is still watched', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    const watcher = startMonitors(slipway.core, 50)
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(folder, 'a.csv'))
    await until(() => watcher.started.length === 1, 'the first file to run')
    await slipway.core.jobs.wait(watcher.started[0]!.id)
    const scans = watcher.scans
    fs.rmSync(folder, { recursive: true })
    // Let the watcher notice the folder is gone before it is made again.
    await until(() => watcher.scans > scans, 'a scan of the missing folder')
    fs.mkdirSync(folder)
    fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), path.join(folder, 'b.csv'))
    await until(() => watcher.started.length === 2, 'the file in the new folder to run')
    await slipway.core.jobs.wait(watcher.started[1]!.id)
    expect(runsOf(slipway, id)).toBe(2)
  })

  it('ignores other files and subfolders, and reruns a file rewritten with new bytes', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    const watcher = startMonitors(slipway.core, 50)
    fs.writeFileSync(path.join(folder, '.DS_Store'), 'x')
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'hello')
    fs.mkdirSync(path.join(folder, 'old.csv'))
    fs.writeFileSync(path.join(folder, '.hidden.csv'), 'a,b\n1,2\n')
    const day = path.join(folder, 'day.csv')
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), day)
    await until(() => watcher.started.length === 1, 'day.csv to run')
    await slipway.core.jobs.wait(watcher.started[0]!.id)
    fs.copyFileSync(fixture('data', 'linear_binary-eval.csv'), day)
    await until(() => watcher.started.length === 2, 'the rewritten day.csv to run')
    await slipway.core.jobs.wait(watcher.started[1]!.id)
    expect(runsOf(slipway, id)).toBe(2)
    expect(count(slipway, 'SELECT COUNT(*) AS n FROM drift_monitor_files')).toBe(1)
  })

  it('waits for a CSV cut short by a paused writer and runs once on the whole file', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    const watcher = startMonitors(slipway.core, 50)
    const text = fs.readFileSync(fixture('data', 'linear_binary-drifted.csv'), 'utf8')
    const cut = text.indexOf('\n', text.length / 2) + 3
    const file = path.join(folder, 'day.csv')
    const scans = watcher.scans
    fs.writeFileSync(file, text.slice(0, cut))
    // The writer has been quiet for a while: the old watcher took the half file as settled.
    const past = new Date(Date.now() - 1000)
    fs.utimesSync(file, past, past)
    await until(() => watcher.scans >= scans + 2, 'the half file to be scanned')
    expect(watcher.started).toHaveLength(0)
    fs.appendFileSync(file, text.slice(cut))
    await until(() => watcher.started.length === 1, 'the whole file to run')
    const done = await slipway.core.jobs.wait(watcher.started[0]!.id)
    expect(done.status).toBe('done')
    expect((done.result as { currentRows: number }).currentRows).toBe(800)
    expect(runsOf(slipway, id)).toBe(1)
  })

  it('closing while a monitor run is in flight leaves the file to run after reopening', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    startMonitors(slipway.core, 50)
    const closed = whenDriftStarts(slipway, () => slipway.close())
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(folder, 'a.csv'))
    const jobId = await closed
    expect((await slipway.core.jobs.wait(jobId)).status).toBe('cancelled')
    slipway = new Slipway({ home: home.dir, actor: 'ana' })
    const again = startMonitors(slipway.core, 50)
    await until(() => again.started.length === 1, 'the file to run after reopening')
    expect((await slipway.core.jobs.wait(again.started[0]!.id)).status).toBe('done')
    expect(runsOf(slipway, id)).toBe(1)
  })

  it('a file claimed by a process that died mid-run runs again; a live claim is left alone', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    const claim = slipway.core.db.prepare(
      `INSERT INTO drift_monitor_files (monitor_id, path, size, mtime_ms, run_id, error, seen_at, claimed_by_pid)
       VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)`,
    )
    const put = (name: string, pid: number): void => {
      const file = path.join(folder, name)
      fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), file)
      const stat = fs.statSync(file)
      claim.run(id, file, stat.size, stat.mtimeMs, new Date().toISOString(), pid)
    }
    // A window killed while running dead.csv (a pid above Linux's maximum cannot be alive), and
    // another live process (our parent) running live.csv right now.
    put('dead.csv', 99999999)
    put('live.csv', process.ppid)
    const watcher = startMonitors(slipway.core, 50)
    await until(() => watcher.started.length === 1, 'the abandoned file to run')
    expect((await slipway.core.jobs.wait(watcher.started[0]!.id)).status).toBe('done')
    // Another scan (a file the monitor ignores arrives) still leaves the live claim alone.
    const scans = watcher.scans
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not data')
    await until(() => watcher.scans > scans, 'another scan')
    expect(watcher.started).toHaveLength(1)
    expect(
      slipway.core.db
        .prepare(
          'SELECT path, run_id IS NOT NULL AS ran, claimed_by_pid FROM drift_monitor_files ORDER BY path',
        )
        .all(),
    ).toEqual([
      { path: path.join(folder, 'dead.csv'), ran: 1, claimed_by_pid: null },
      { path: path.join(folder, 'live.csv'), ran: 0, claimed_by_pid: process.ppid },
    ])
    expect(runsOf(slipway, id)).toBe(1)
  })

  it('deleting a monitor while its run is in flight cancels the run cleanly', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    startMonitors(slipway.core, 50)
    const deleted = whenDriftStarts(slipway, () => {
      void slipway.call('monitors:delete', { monitorId: id })
    })
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(folder, 'a.csv'))
    const done = await slipway.core.jobs.wait(await deleted)
    expect(await slipway.call('monitors:list', {})).toEqual([])
    expect(done.status, done.error?.message).toBe('cancelled')
    expect(count(slipway, 'SELECT COUNT(*) AS n FROM drift_monitor_files')).toBe(0)
    expect(count(slipway, 'SELECT COUNT(*) AS n FROM drift_runs')).toBe(0)
  })

  it('two processes watching one folder run each file exactly once', async () => {
    const folder = path.join(home.dir, 'incoming')
    const id = await folderMonitor(slipway, folder)
    const other = new Slipway({ home: home.dir, actor: 'bo' })
    others.push(other)
    const a = startMonitors(slipway.core, 50)
    const b = startMonitors(other.core, 50)
    for (const name of ['1.csv', '2.csv', '3.csv'])
      fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(folder, name))
    await until(() => a.started.length + b.started.length === 3, 'three runs')
    for (const j of a.started) await slipway.core.jobs.wait(j.id)
    for (const j of b.started) await other.core.jobs.wait(j.id)
    expect(runsOf(slipway, id)).toBe(3)
  })

  it('a monitor whose reference dataset was removed records the error and keeps watching', async () => {
    const folder = path.join(home.dir, 'incoming')
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    fs.mkdirSync(folder)
    const added = await slipway.core.jobs.wait(
      (
        await slipway.call('datasets:add', {
          file: { path: fixture('data', 'linear_binary-train.csv') },
        })
      ).id,
    )
    const datasetId = (added.result as { id: number }).id
    const monitor = await slipway.call('monitors:create', {
      model: 'churn',
      reference: { dataset: datasetId },
      source: { kind: 'folder', path: folder },
    })
    await slipway.call('datasets:remove', { id: datasetId })
    startMonitors(slipway.core, 50)
    fs.copyFileSync(fixture('data', 'linear_binary-drifted.csv'), path.join(folder, 'a.csv'))
    await until(
      () =>
        count(
          slipway,
          'SELECT COUNT(*) AS n FROM drift_monitor_files WHERE error IS NOT NULL AND monitor_id = ?',
          monitor.id,
        ) === 1,
      'the error to be recorded',
    )
    const { error } = slipway.core.db
      .prepare('SELECT error FROM drift_monitor_files WHERE monitor_id = ?')
      .get(monitor.id) as { error: string }
    expect(error).toMatch(/dataset/i)
    expect(runsOf(slipway, monitor.id)).toBe(0)
  })
})

describe('audit chain', () => {
  it('two connections writing in turn keep one valid chain, one record per change', async () => {
    await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'churn',
    })
    const other = new Slipway({ home: home.dir, actor: 'bo' })
    others.push(other)
    const before = count(slipway, 'SELECT COUNT(*) AS n FROM audit_events')
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        slipway.call('registry:set-tag', { model: 'churn', version: 1, key: `a${i}`, value: 'x' }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        other.call('registry:set-tag', { model: 'churn', version: 1, key: `b${i}`, value: 'y' }),
      ),
    ])
    expect(count(slipway, 'SELECT COUNT(*) AS n FROM audit_events')).toBe(before + 20)
    expect(verifyAuditChain(slipway.core.db)).toMatchObject({ ok: true })
  })
})
