// A fresh registry home per test, removed afterwards.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function tempHome(prefix = 'slipway-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export const fixture = (...parts: string[]): string =>
  path.resolve(__dirname, '..', 'fixtures', ...parts)

/** Every file under the blob store except temporaries. */
export function blobFiles(home: string): string[] {
  const root = path.join(home, 'blobs')
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}
