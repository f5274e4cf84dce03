// Blob leases: bytes a call relies on survive another call's failure; bytes nothing uses go.
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { leaseBlob, releaseBlob, removeBlobIfUnused } from '../../src/core/artifacts/leases'
import { Slipway } from '../../src/core/service'
import { blobFiles, fixture, tempHome } from '../helpers/home'

// A pid above the kernel's maximum (4194304 on Linux) cannot be alive.
const DEAD_PID = 99999999
const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function open(): { slipway: Slipway; dir: string } {
  const home = tempHome('slipway-leases-')
  const slipway = new Slipway({ home: home.dir })
  cleanups.push(() => {
    slipway.close()
    home.cleanup()
  })
  return { slipway, dir: home.dir }
}

const leases = (s: Slipway): number =>
  (s.core.db.prepare('SELECT COUNT(*) AS n FROM blob_leases').get() as { n: number }).n

describe('blob leases', () => {
  it('a released lease on bytes nothing references removes them, and the lease row', async () => {
    const { slipway, dir } = open()
    const leased = await leaseBlob(slipway.core, fixture('models', 'linear_binary.onnx'))
    expect(fs.existsSync(leased.path)).toBe(true)
    expect(leases(slipway)).toBe(1)
    expect(releaseBlob(slipway.core, leased)).toBe(true)
    expect(blobFiles(dir)).toEqual([])
    expect(leases(slipway)).toBe(0)
  })

  it('bytes another call still leases survive the first call’s release', async () => {
    const { slipway, dir } = open()
    const file = fixture('models', 'linear_binary.onnx')
    const first = await leaseBlob(slipway.core, file)
    const second = await leaseBlob(slipway.core, file)
    expect(second.sha256).toBe(first.sha256)
    expect(second.created).toBe(false)
    expect(releaseBlob(slipway.core, first)).toBe(false)
    expect(fs.existsSync(second.path)).toBe(true)
    expect(releaseBlob(slipway.core, second)).toBe(true)
    expect(blobFiles(dir)).toEqual([])
  })

  it('bytes a registered version references survive a release and a removal attempt', async () => {
    const { slipway } = open()
    const file = fixture('models', 'linear_binary.onnx')
    const version = await slipway.call('registry:register', { file: { path: file }, model: 'm' })
    const leased = await leaseBlob(slipway.core, file)
    expect(releaseBlob(slipway.core, leased)).toBe(false)
    expect(removeBlobIfUnused(slipway.core, version.sha256)).toBe(false)
    expect(fs.existsSync(slipway.core.blobs.pathFor(version.sha256))).toBe(true)
  })

  it('a lease taken after its bytes were removed stores them again', async () => {
    const { slipway } = open()
    const file = fixture('models', 'linear_binary.onnx')
    const first = await leaseBlob(slipway.core, file)
    // What a failing call elsewhere does between our copy and our lease: the bytes go.
    slipway.core.blobs.remove(first.sha256)
    const again = await leaseBlob(slipway.core, file)
    expect(again.created).toBe(true)
    expect(fs.existsSync(again.path)).toBe(true)
  })

  it('a lease left by a dead process is dropped at start-up and its unused bytes removed', async () => {
    const { slipway, dir } = open()
    const kept = await slipway.call('registry:register', {
      file: { path: fixture('models', 'linear_binary.onnx') },
      model: 'm',
    })
    const orphan = await leaseBlob(slipway.core, fixture('models', 'tree_ensemble.onnx'))
    const live = await leaseBlob(slipway.core, fixture('models', 'regression.onnx'))
    const setPid = slipway.core.db.prepare('UPDATE blob_leases SET pid = ? WHERE id = ?')
    setPid.run(DEAD_PID, orphan.leaseId)
    // A dead lease on bytes a version references: the lease goes, the bytes stay.
    const onKept = await leaseBlob(slipway.core, fixture('models', 'linear_binary.onnx'))
    setPid.run(DEAD_PID, onKept.leaseId)
    const reopened = new Slipway({ home: dir })
    try {
      expect(fs.existsSync(orphan.path)).toBe(false)
      expect(fs.existsSync(slipway.core.blobs.pathFor(kept.sha256))).toBe(true)
      expect(fs.existsSync(live.path)).toBe(true)
      expect(
        reopened.core.db.prepare('SELECT id FROM blob_leases').all() as { id: number }[],
      ).toEqual([{ id: live.leaseId }])
    } finally {
      reopened.close()
    }
  })
})
