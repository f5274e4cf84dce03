// Packages the desktop app with electron-builder. better-sqlite3 is rebuilt for Electron's ABI
// only here (electron-builder's own rebuild is off: it would silently break the Node build the
// tests use), and rebuilt for Node again afterwards, whatever happened.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1

let electronBinary
try {
  electronBinary = require('electron')
} catch {
  electronBinary = ''
}
if (!electronBinary || !fs.existsSync(electronBinary)) {
  console.error(
    'Packaging needs the Electron binary, which is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD or no network). Install electron with its binary, then run npm run package.',
  )
  process.exit(1)
}

let status = run('npm', ['run', 'build'])
if (status === 0) status = run('npx', ['electron-builder', 'install-app-deps'])
if (status === 0) status = run('npx', ['electron-builder', ...process.argv.slice(2)])
const restore = run('npm', ['rebuild', 'better-sqlite3'])
process.exit(status || restore)
