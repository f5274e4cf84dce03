// Runs @doyensec/electronegativity over the app's source (src/) and fails on any high or medium
// finding that is not explained below. Offline: the tool's two network look-ups (translations, and
// Electron's release list for its "available security fixes" check) are answered "unreachable"
// before it loads, and that check is left out (the Electron version is pinned in package.json).
// Usage: node scripts/check-electron.mjs [--json]
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Findings that need a person's review, each reviewed: the check, the file, and why it is safe. */
export const EXPLAINED = [
  {
    id: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'main/index.ts',
    reason:
      'shell.openExternal is called only with URLs that isSafeExternalUrl accepts (https: with a host and no credentials); test/unit/security.test.ts attacks it with http:, file:, javascript:, smb:, ms-msdt: and credentials.',
  },
  {
    id: 'PRELOAD_JS_CHECK',
    file: 'main/index.ts',
    reason:
      'The preload (src/preload/index.ts) exposes through contextBridge one ipcRenderer.invoke per contract call name, event listeners and webUtils.getPathForFile, nothing else; every call is validated in main with the zod contract and accepted only from the app page (test/unit/security.test.ts).',
  },
]

function offline() {
  const toolDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'))
  const gotPath = require.resolve('got', { paths: [toolDir] })
  const refuse = () =>
    Promise.reject(new Error('offline: electronegativity may not reach the network'))
  refuse.head = refuse
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: refuse }
}

export async function checkElectron() {
  offline()
  const run = require('@doyensec/electronegativity/dist/runner.js')
  const log = console.log
  console.log = () => {} // the tool's own chatter
  let result
  try {
    result = await run({
      input: path.join(root, 'src'),
      output: undefined,
      isSarif: false,
      customScan: [],
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      isRelative: true,
      electronVersionOverride: require('electron/package.json').version,
    })
  } finally {
    console.log = log
  }
  const findings = result.issues.map((issue) => ({
    id: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file: String(issue.file).replaceAll('\\', '/'),
    line: issue.location?.line ?? null,
    reviewRequired: Boolean(issue.manualReview),
  }))
  const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM')
  const explained = serious.filter((f) => EXPLAINED.some((e) => e.id === f.id && e.file === f.file))
  const unexplained = serious.filter((f) => !explained.includes(f))
  return {
    ok: unexplained.length === 0 && result.errors.every((e) => e.tolerable),
    findings,
    explained: explained.map((f) => ({
      ...f,
      reason: EXPLAINED.find((e) => e.id === f.id).reason,
    })),
    unexplained,
    errors: result.errors,
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await checkElectron()
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else {
    for (const f of report.findings)
      process.stdout.write(
        `${f.severity.padEnd(13)} ${f.id} ${f.file}:${f.line}${report.unexplained.includes(f) ? '  UNEXPLAINED' : ''}\n`,
      )
    for (const e of report.explained) process.stdout.write(`explained: ${e.id}: ${e.reason}\n`)
    for (const e of report.errors) process.stdout.write(`parse error: ${e.file}: ${e.message}\n`)
    process.stdout.write(
      report.ok ? 'No unexplained high or medium finding.\n' : 'Unexplained findings above.\n',
    )
  }
  process.exitCode = report.ok ? 0 : 1
}
