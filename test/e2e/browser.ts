// Finds the Chromium the browser tests drive, with no apt step: the browser named by
// SLIPWAY_CHROMIUM, then the usual system paths, then (Linux x64) the headless Chromium that ships
// inside the npm package @sparticuz/chromium. A browser that cannot be found throws, naming what was
// tried, so the tests it stops fail instead of being skipped.
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** One place to look for a browser, tried in the order given. */
export type BrowserCandidate =
  { kind: 'env'; name: string } | { kind: 'path'; path: string } | { kind: 'npm' }

export interface FoundBrowser {
  executablePath: string
  /** Flags the browser needs beyond the harness's own (the npm build's, minus the unsafe ones). */
  args: string[]
  /** Says where it came from, for messages. */
  source: string
}

/** The system paths where Chrome or Chromium usually lives, for this platform. */
export function systemBrowserPaths(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]
  }
  if (platform === 'win32') {
    const roots = [
      process.env.PROGRAMFILES,
      process.env['PROGRAMFILES(X86)'],
      process.env.LOCALAPPDATA,
    ]
    return roots
      .filter((root): root is string => Boolean(root))
      .map((root) => path.win32.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'))
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ]
}

/** The default search order: SLIPWAY_CHROMIUM, system paths, then the npm package on Linux x64. */
export function defaultBrowserCandidates(): BrowserCandidate[] {
  const candidates: BrowserCandidate[] = [{ kind: 'env', name: 'SLIPWAY_CHROMIUM' }]
  for (const file of systemBrowserPaths()) candidates.push({ kind: 'path', path: file })
  if (process.platform === 'linux' && process.arch === 'x64') candidates.push({ kind: 'npm' })
  return candidates
}

// The npm build's flags turn off web security for serverless scraping; the tests check the app's
// CSP and same-origin behaviour, so those flags stay out.
const UNSAFE_FLAGS = ['--disable-web-security', '--allow-running-insecure-content']

const executable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

/** Returns the first browser found among `candidates`, or throws naming every place tried. */
export async function findBrowser(
  candidates: BrowserCandidate[] = defaultBrowserCandidates(),
): Promise<FoundBrowser> {
  const tried: string[] = []
  for (const candidate of candidates) {
    if (candidate.kind === 'env') {
      const value = process.env[candidate.name]
      if (!value) {
        tried.push(`${candidate.name} (not set)`)
        continue
      }
      // A browser named on purpose that is not there is an error, not a reason to look elsewhere.
      if (!executable(value)) {
        throw new Error(`${candidate.name} names ${value}, which is not an executable file`)
      }
      return { executablePath: value, args: [], source: candidate.name }
    }
    if (candidate.kind === 'path') {
      if (executable(candidate.path)) {
        return { executablePath: candidate.path, args: [], source: candidate.path }
      }
      tried.push(candidate.path)
      continue
    }
    const packaged = (await import('@sparticuz/chromium')).default
    let file: string
    try {
      file = await packaged.executablePath()
    } catch (error) {
      throw new Error(
        `@sparticuz/chromium could not unpack its Chromium: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
    if (!executable(file)) throw new Error(`@sparticuz/chromium unpacked ${file}, which cannot run`)
    return {
      executablePath: file,
      args: packaged.args.filter((flag) => !UNSAFE_FLAGS.includes(flag)),
      source: '@sparticuz/chromium',
    }
  }
  throw new Error(
    `No Chromium found for the browser tests. Tried: ${tried.join(', ')}. ` +
      'Set SLIPWAY_CHROMIUM to a Chrome or Chromium executable.',
  )
}

// Nothing but the page under test may reach the network or start background work.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Starts the browser the tests drive, found by `findBrowser`, with the harness's flags. */
export async function launchBrowser(candidates?: BrowserCandidate[]): Promise<Browser> {
  const found = await findBrowser(candidates)
  const args = [...new Set([...found.args, ...CHROMIUM_FLAGS])]
  try {
    return await chromium.launch({ executablePath: found.executablePath, args })
  } catch (error) {
    throw new Error(
      `Chromium from ${found.source} (${found.executablePath}) did not start: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
}
