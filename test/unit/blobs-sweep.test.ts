// The blob store's start-up sweep: a temporary file another live process is writing
// right now (the window, web mode and the CLI share one home) must survive a sweep.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BlobStore } from '../../src/core/artifacts/blobs'

const dirs: string[] = []
const home = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-review-blobs-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe('sweepTemporary', () => {
  it('keeps a live writer’s temporary file and removes a dead or day-old one', () => {
    const root = path.join(home(), 'blobs')
    const store = new BlobStore(root)
    const tmp = path.join(root, 'tmp')
    const live = path.join(tmp, `p${process.pid}-1-aa.part`)
    const old = path.join(tmp, `p${process.pid}-2-bb.part`)
    // A pid above the kernel's maximum (4194304 on Linux) cannot be alive.
    const dead = path.join(tmp, `p99999999-3-cc.part`)
    for (const file of [live, old, dead]) fs.writeFileSync(file, 'half')
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000)
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo)
    expect(store.sweepTemporary()).toBe(2)
    expect(fs.readdirSync(tmp)).toEqual([path.basename(live)])
  })

  it.skipIf(process.platform === 'win32')(
    'a store opened on the same home while a file is being stored does not break that write',
    async () => {
      const dir = home()
      const root = path.join(dir, 'blobs')
      const fifo = path.join(dir, 'incoming')
      execFileSync('mkfifo', [fifo])
      const store = new BlobStore(root)
      const writing = store.putFile(fifo)
      const writer = fs.createWriteStream(fifo)
      writer.write(Buffer.alloc(64 * 1024, 1))
      // Wait until the temporary file exists, then let "another process" start up and sweep.
      const tmp = path.join(root, 'tmp')
      for (let i = 0; i < 200 && fs.readdirSync(tmp).length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 5))
      expect(fs.readdirSync(tmp)).toHaveLength(1)
      new BlobStore(root).sweepTemporary()
      writer.end(Buffer.alloc(64 * 1024, 2))
      const stored = await writing
      expect(stored.size).toBe(128 * 1024)
      expect(fs.statSync(stored.path).size).toBe(128 * 1024)
    },
  )
})
