// Checks the desktop package's layout as far as a machine without the Electron binary allows:
// runs electron-builder (`--linux dir`, x64) with the project's own build config against a
// stand-in Electron distribution (a file carrying Electron's fuse wire, not a working Electron),
// then inspects what it produced: the asar's content, the native modules unpacked next to it, no
// dev dependencies, no source maps, the fuses flipped in the executable, and the .onnx association.
// Usage: node scripts/check-package.mjs [--json] [--keep]. Needs `npm run build` first.
// Exit code 0 when every check passes; each failed check is printed.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const json = process.argv.includes('--json')
const keep = process.argv.includes('--keep')

// Electron's fuse wire: the sentinel, the wire version (1), its length, one byte per fuse ('0'/'1').
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// Electron's defaults for the first 8 V1 fuses (RunAsNode … GrantFileProtocolExtraPrivileges).
const DEFAULT_WIRE = '10110001'

export function makeStandInElectron(dir, version) {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true })
  const binary = Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in Electron: not runnable"\nexit 1\n#'),
    Buffer.from(SENTINEL),
    Buffer.from([1, DEFAULT_WIRE.length]),
    Buffer.from(DEFAULT_WIRE),
    Buffer.from('\n'),
  ])
  fs.writeFileSync(path.join(dir, 'electron'), binary, { mode: 0o755 })
  fs.writeFileSync(path.join(dir, 'version'), version)
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stand-in')
}

export async function checkPackage() {
  for (const built of ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'])
    if (!fs.existsSync(path.join(root, built)))
      throw new Error(`${built} is missing: run npm run build first`)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-package-'))
  const dist = path.join(work, 'electron-dist')
  const output = path.join(work, 'out')
  const electronVersion = require('electron/package.json').version
  makeStandInElectron(dist, electronVersion)
  const run = spawnSync(
    process.execPath,
    [
      require.resolve('electron-builder/cli.js'),
      '--linux',
      'dir',
      '--x64',
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${output}`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  )
  const checks = []
  const check = (name, ok, detail = '') => checks.push({ name, ok: Boolean(ok), detail })
  check(
    'electron-builder --linux dir ran',
    run.status === 0,
    run.status === 0 ? '' : run.stderr.slice(-2000),
  )
  const app = path.join(output, 'linux-unpacked')
  const resources = path.join(app, 'resources')
  const asarFile = path.join(resources, 'app.asar')
  if (run.status === 0 && fs.existsSync(asarFile)) {
    const asar = require('@electron/asar')
    const files = asar.listPackage(asarFile).map((f) => f.replaceAll('\\', '/'))
    const has = (f) => files.includes(f)
    for (const f of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/worker.js',
      '/out/preload/index.js',
      '/out/renderer/index.html',
    ])
      check(`asar holds ${f}`, has(f))
    check(
      'asar holds no source (src/, test/) or build output for Node (out/node)',
      !files.some((f) => /^\/(src|test|bench|scripts|out\/node)\//.test(f)),
    )
    const unpacked = path.join(resources, 'app.asar.unpacked')
    const allFiles = [
      ...files,
      ...(fs.existsSync(unpacked)
        ? fs
            .readdirSync(unpacked, { recursive: true })
            .map((f) => `/${String(f).replaceAll('\\', '/')}`)
        : []),
    ]
    const devDeps = Object.keys(pkg.devDependencies ?? {})
    const shipped = devDeps.filter((dep) =>
      allFiles.some((f) => f === `/node_modules/${dep}` || f.startsWith(`/node_modules/${dep}/`)),
    )
    check('no dev dependency is shipped', shipped.length === 0, shipped.join(', '))
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      check(
        `dependency ${dep} is shipped`,
        allFiles.some((f) => f.startsWith(`/node_modules/${dep}/`)),
      )
    const maps = allFiles.filter((f) => f.endsWith('.map'))
    check('no source maps', maps.length === 0, maps.slice(0, 5).join(', '))
    const natives = [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node',
    ]
    for (const native of natives)
      check(`native module unpacked: ${native}`, fs.existsSync(path.join(unpacked, native)))
    const nativeInAsar = files.filter(
      (f) => f.endsWith('.node') && !fs.existsSync(path.join(unpacked, f)),
    )
    check(
      'no native module left inside the asar only',
      nativeInAsar.length === 0,
      nativeInAsar.join(', '),
    )
    const exe = path.join(app, pkg.name)
    check('the executable is named after the app', fs.existsSync(exe))
    if (fs.existsSync(exe)) {
      const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses')
      const wire = await getCurrentFuseWire(exe)
      const state = (option) => String.fromCharCode(wire[FuseV1Options[option]])
      const want = {
        RunAsNode: '0',
        EnableCookieEncryption: '1',
        EnableNodeOptionsEnvironmentVariable: '0',
        EnableNodeCliInspectArguments: '0',
        EnableEmbeddedAsarIntegrityValidation: '1',
        OnlyLoadAppFromAsar: '1',
      }
      for (const [option, value] of Object.entries(want))
        check(`fuse ${option} = ${value}`, state(option) === value, `found ${state(option)}`)
    }
  }
  const associations = pkg.build?.fileAssociations ?? []
  check(
    '.onnx file association configured',
    associations.some((a) => a.ext === 'onnx' || (Array.isArray(a.ext) && a.ext.includes('onnx'))),
  )
  if (!keep) fs.rmSync(work, { recursive: true, force: true })
  return { ok: checks.every((c) => c.ok), checks, output: keep ? output : null }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await checkPackage()
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else
    for (const c of report.checks)
      process.stdout.write(
        `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.ok || !c.detail ? '' : `: ${c.detail}`}\n`,
      )
  process.exitCode = report.ok ? 0 : 1
}
