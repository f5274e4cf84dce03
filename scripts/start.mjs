// `npm start`: opens the Electron window when this machine can show one; otherwise says why in
// one line and starts web mode instead. Forwards --home (and --port for web mode).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(root, 'package.json'))

/**
 * Finds the Electron binary the way electron's own index.js does, without requiring it:
 * requiring it would start a download when the binary is missing.
 */
export function findElectron(env = process.env) {
  let packageDir
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'))
  } catch {
    return { binary: null, reason: 'the electron package is not installed' }
  }
  const pathFile = path.join(packageDir, 'path.txt')
  const executable = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : ''
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron')
    : executable
      ? path.join(packageDir, 'dist', executable)
      : null
  if (!binary || !fs.existsSync(binary))
    return {
      binary: null,
      reason:
        'no binary: node node_modules/electron/install.js fetches it where its download is reachable',
    }
  return { binary, reason: null }
}

export function hasDisplay(platform = process.platform, env = process.env) {
  if (platform !== 'linux') return true
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
}

/** Keeps only the options the faces understand. */
export function forwardedArgs(argv) {
  const out = { electron: [], web: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    for (const flag of ['--home', '--port']) {
      const targets = flag === '--home' ? [out.electron, out.web] : [out.web]
      if (arg === flag && argv[i + 1] !== undefined) {
        for (const target of targets) target.push(flag, argv[i + 1])
        i++
      } else if (arg.startsWith(`${flag}=`)) {
        for (const target of targets) target.push(arg)
      }
    }
  }
  return out
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  child.on('error', (error) => {
    console.error(`Could not start ${command}: ${error.message}`)
    process.exit(1)
  })
}

function main() {
  const args = forwardedArgs(process.argv.slice(2))
  const electron = findElectron()
  const reason = electron.binary
    ? hasDisplay()
      ? null
      : 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set'
    : electron.reason
  if (!reason) {
    run(electron.binary, [root, ...args.electron])
    return
  }
  const server = path.join(root, 'out', 'node', 'server.cjs')
  if (!fs.existsSync(server)) {
    console.error(
      `Electron is not available here (${reason}), and web mode is not built (${server}); run npm run build.`,
    )
    process.exit(1)
  }
  console.log(`Electron is not available here (${reason}); starting web mode.`)
  run(process.execPath, [server, ...args.web])
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
