// One security baseline for every Electron window, with its decisions as pure, tested predicates.
import type { BrowserWindow, Session, WebContents, WebPreferences } from 'electron'
import { contentSecurityPolicy } from '../api/csp'

/** Applied to every BrowserWindow; a window is never created with weaker settings. */
export const secureWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  // Middle-click must not open links in new windows (electronegativity's AUXCLICK check).
  disableBlinkFeatures: 'Auxclick',
} as const satisfies WebPreferences

/** The same policy as web mode's. */
export const appContentSecurityPolicy = contentSecurityPolicy

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) return null
  try {
    return new URL(value)
  } catch {
    return null
  }
}

/**
 * The page may only ever be the app itself: the same file (packaged) or the same dev-server
 * origin. Hash and query changes are allowed; everything else (other files, sites, schemes) is not.
 */
export function isAllowedNavigation(url: unknown, appUrl: string): url is string {
  const target = parseUrl(url)
  const app = parseUrl(appUrl)
  if (!target || !app) return false
  if (target.protocol !== app.protocol) return false
  if (app.protocol === 'file:') return target.host === app.host && target.pathname === app.pathname
  if (app.protocol === 'http:' || app.protocol === 'https:') {
    return target.origin === app.origin && target.username === '' && target.password === ''
  }
  return false
}

/** Links the app may hand to the system browser: plain https with no credentials in them. */
export function isSafeExternalUrl(url: unknown): url is string {
  const target = parseUrl(url)
  if (!target) return false
  return (
    target.protocol === 'https:' &&
    target.username === '' &&
    target.password === '' &&
    target.hostname !== ''
  )
}

/** The app asks for no device, notification, clipboard-read or any other permission. */
export function isPermissionAllowed(_permission: string): boolean {
  return false
}

/** Whether a response belongs to the app page and so gets the app's CSP header. */
export function needsAppCsp(responseUrl: unknown, appUrl: string): boolean {
  const target = parseUrl(responseUrl)
  const app = parseUrl(appUrl)
  if (!target || !app) return false
  if (app.protocol === 'file:') return target.protocol === 'file:'
  return target.origin === app.origin
}

/** Adds the CSP to response headers, replacing any header of the same name in any letter case. */
export function withAppCsp(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const next: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') next[name] = value
  }
  next['Content-Security-Policy'] = [appContentSecurityPolicy]
  return next
}

/** Session-wide: deny every permission, and put the CSP on the app page's responses. */
export function applySessionSecurity(session: Session, appUrl: string): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  )
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission))
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!needsAppCsp(details.url, appUrl)) return callback({})
    callback({ responseHeaders: withAppCsp(details.responseHeaders) })
  })
}

/** Every web contents, including any the app did not mean to create: no webviews, no navigation. */
export function applyContentsSecurity(
  contents: WebContents,
  appUrl: string,
  openExternal: (url: string) => void,
): void {
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, appUrl)) event.preventDefault()
  })
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame || !isAllowedNavigation(event.url, appUrl)) event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    // Never a new window; a safe https link opens in the user's browser instead.
    if (isSafeExternalUrl(url)) openExternal(url)
    return { action: 'deny' }
  })
}

export function applyWindowSecurity(
  window: BrowserWindow,
  appUrl: string,
  openExternal: (url: string) => void,
): void {
  applyContentsSecurity(window.webContents, appUrl, openExternal)
}
