// The Electron shell's security predicates and its IPC registration, in plain Node.
import { standInJobs } from '../helpers/home'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { ApiEvent } from '../../src/api/calls'
import { callNames } from '../../src/api/calls'
import { Slipway } from '../../src/core/service'
import type { IpcInvokeEventLike, IpcMainLike } from '../../src/main/ipc'
import { forwardEvents, registerCardPdf, registerFilePicker, registerIpc } from '../../src/main/ipc'
import {
  appContentSecurityPolicy,
  isAllowedNavigation,
  isPermissionAllowed,
  isSafeExternalUrl,
  needsAppCsp,
  secureWebPreferences,
  withAppCsp,
} from '../../src/main/security'

const fileApp = 'file:///opt/Slipway/resources/app.asar/out/renderer/index.html'
const devApp = 'http://localhost:5173/'

describe('window baseline', () => {
  it('isolates the page from Node', () => {
    expect(secureWebPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    })
  })

  it('has a CSP without inline code', () => {
    expect(appContentSecurityPolicy).toContain("default-src 'self'")
    expect(appContentSecurityPolicy).toContain("script-src 'self'")
    expect(appContentSecurityPolicy).toContain("object-src 'none'")
    expect(appContentSecurityPolicy).not.toMatch(/unsafe/)
  })
})

describe('isAllowedNavigation', () => {
  it.each([
    [fileApp, fileApp],
    [`${fileApp}#/registry/churn/3`, fileApp],
    [`${fileApp}?token=x`, fileApp],
    [`${devApp}#/registry`, devApp],
    ['http://localhost:5173/src/main.tsx', devApp],
  ])('allows %s for %s', (url, app) => {
    expect(isAllowedNavigation(url, app)).toBe(true)
  })

  it.each([
    ['file:///etc/passwd', fileApp],
    ['file:///opt/Slipway/resources/app.asar/out/renderer/other.html', fileApp],
    ['file://evil-host/opt/Slipway/resources/app.asar/out/renderer/index.html', fileApp],
    ['https://example.com/', fileApp],
    ['http://localhost:5173/', fileApp],
    ['javascript:alert(1)', fileApp],
    ['data:text/html,<script>alert(1)</script>', fileApp],
    ['about:blank', fileApp],
    ['chrome://settings', fileApp],
    ['http://localhost:5174/', devApp],
    ['https://localhost:5173/', devApp],
    ['http://user:pass@localhost:5173/', devApp],
    ['http://127.0.0.1:5173/', devApp],
    ['not a url', fileApp],
    ['', fileApp],
    [fileApp, 'not a url'],
  ])('refuses %s for %s', (url, app) => {
    expect(isAllowedNavigation(url, app)).toBe(false)
  })

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['file:///x']])
      expect(isAllowedNavigation(value, fileApp)).toBe(false)
  })

  it('refuses absurdly long URLs', () => {
    expect(isAllowedNavigation(`${fileApp}#${'a'.repeat(9000)}`, fileApp)).toBe(false)
  })
})

describe('isSafeExternalUrl', () => {
  it.each(['https://onnx.ai/', 'https://github.com/onnx/onnx#readme'])('opens %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true)
  })
  it.each([
    'http://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://share/x',
    'ms-msdt:/id',
    'https://user:pw@example.com/',
    'https://',
    '',
    undefined,
    42,
  ])('refuses %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false)
  })
})

describe('permissions and CSP headers', () => {
  it('denies every permission', () => {
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      expect(isPermissionAllowed(permission)).toBe(false)
    }
  })

  it('puts the CSP on app responses only', () => {
    expect(needsAppCsp(fileApp, fileApp)).toBe(true)
    expect(needsAppCsp('file:///opt/Slipway/out/renderer/assets/index.js', fileApp)).toBe(true)
    expect(needsAppCsp('https://example.com/', fileApp)).toBe(false)
    expect(needsAppCsp('http://localhost:5173/x.js', devApp)).toBe(true)
    expect(needsAppCsp('http://localhost:9999/x.js', devApp)).toBe(false)
    expect(needsAppCsp('garbage', fileApp)).toBe(false)
  })

  it('replaces a weaker CSP in any letter case and keeps other headers', () => {
    const headers = withAppCsp({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    })
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [appContentSecurityPolicy],
    })
    expect(withAppCsp(undefined)).toEqual({ 'Content-Security-Policy': [appContentSecurityPolicy] })
  })
})

// A tiny in-memory IpcMainLike: records handlers and lets the test invoke them like a renderer.
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>()
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  invoke(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return Promise.resolve(
      handler({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args),
    )
  }
}

describe('IPC', () => {
  let home: string
  let slipway: Slipway
  const trusted = { isTrustedSender: (url: string) => isAllowedNavigation(url, fileApp) }

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ipc-'))
    slipway = new Slipway({ home })
  })
  afterAll(() => {
    slipway.close()
    fs.rmSync(home, { recursive: true, force: true })
  })

  it('registers exactly one handler per contract call and removes them again', () => {
    const ipc = new FakeIpcMain()
    const dispose = registerIpc(ipc, slipway, trusted)
    expect([...ipc.handlers.keys()].sort()).toEqual([...callNames].sort())
    dispose()
    expect(ipc.handlers.size).toBe(0)
  })

  it('prints a model card to PDF from its HTML export, for the app page only', async () => {
    // A home of its own: the other tests here expect an empty registry.
    const cardHome = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ipc-card-'))
    const slipway = new Slipway({ home: cardHome })
    onTestFinished(() => {
      slipway.close()
      fs.rmSync(cardHome, { recursive: true, force: true })
    })
    await slipway.call('registry:register', {
      file: { path: path.resolve(__dirname, '..', 'fixtures', 'models', 'linear_binary.onnx') },
      model: 'card-pdf',
    })
    const ipc = new FakeIpcMain()
    const printed: { html: string; name: string }[] = []
    // printToPDF needs Electron; the printer the shell passes is replaced by one that records.
    const dispose = registerCardPdf(
      ipc,
      slipway,
      async (html, name) => {
        printed.push({ html, name })
        return `/tmp/${name}`
      },
      trusted,
    )
    expect(
      await ipc.invoke('card:save-pdf', 'https://evil.example/', { model: 'card-pdf', version: 1 }),
    ).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await ipc.invoke('card:save-pdf', fileApp, { model: '../x', version: 1 })).toMatchObject(
      { ok: false, error: { code: 'INVALID_INPUT' } },
    )
    expect(
      await ipc.invoke('card:save-pdf', fileApp, { model: 'card-pdf', version: 9 }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(printed).toEqual([])
    expect(await ipc.invoke('card:save-pdf', fileApp, { model: 'card-pdf', version: 1 })).toEqual({
      ok: true,
      value: { saved: '/tmp/card-pdf-v1-card.pdf' },
    })
    expect(printed[0]!.name).toBe('card-pdf-v1-card.pdf')
    expect(printed[0]!.html).toContain('Model card: card-pdf v1')
    expect(printed[0]!.html).not.toContain('<script')
    dispose()
    expect(ipc.handlers.size).toBe(0)
  })

  it('runs calls through the service with the electron face and validates input', async () => {
    const ipc = new FakeIpcMain()
    registerIpc(ipc, slipway, trusted)
    expect(await ipc.invoke('app:info', fileApp, {})).toMatchObject({
      ok: true,
      value: { face: 'electron', home },
    })
    expect(await ipc.invoke('registry:list-models', fileApp, {})).toEqual({
      ok: true,
      value: { models: [], nextCursor: null, total: 0 },
    })
    const bad = (await ipc.invoke('registry:get-model', fileApp, { model: '../../etc' })) as {
      ok: boolean
      error: { code: string }
    }
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const missing = await ipc.invoke('registry:get-model', fileApp, { model: 'nobody' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('accepts local paths from the Electron face', async () => {
    const ipc = new FakeIpcMain()
    registerIpc(ipc, slipway, trusted)
    const file = path.join(__dirname, '..', 'fixtures', 'models', 'regression.onnx')
    const result = await ipc.invoke('registry:register', fileApp, {
      file: { path: file },
      model: 'prices',
    })
    expect(result).toMatchObject({
      ok: true,
      value: { model: 'prices', version: 1, existing: false },
    })
  })

  it('refuses calls from any frame that is not the app page', async () => {
    const ipc = new FakeIpcMain()
    registerIpc(ipc, slipway, trusted)
    for (const frame of ['https://evil.example/', 'file:///tmp/evil.html', null]) {
      expect(await ipc.invoke('app:info', frame, {})).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      })
    }
  })

  it('forwards core events to the window until unsubscribed', () => {
    const sent: Array<[string, ApiEvent]> = []
    const stop = forwardEvents(slipway, (channel, event) => sent.push([channel, event]))
    standInJobs(slipway).start('test', 'Forwarding check', async () => 1)
    expect(sent[0]?.[0]).toBe('slipway:event')
    expect(sent[0]?.[1]).toMatchObject({
      name: 'jobs:progress',
      payload: { title: 'Forwarding check' },
    })
    stop()
    const count = sent.length
    standInJobs(slipway).start('test', 'After stop', async () => 1)
    expect(sent.length).toBe(count)
  })

  it('answers the file picker with the chosen paths, or none when cancelled or untrusted', async () => {
    const ipc = new FakeIpcMain()
    let answer = { canceled: false, filePaths: ['/models/a.onnx', '/models/b.onnx'] }
    registerFilePicker(
      ipc,
      async (options) => {
        expect(options.filters[0]).toEqual({ name: 'ONNX models', extensions: ['onnx'] })
        return answer
      },
      trusted,
    )
    expect(await ipc.invoke('dialog:open-files', fileApp)).toEqual([
      '/models/a.onnx',
      '/models/b.onnx',
    ])
    answer = { canceled: true, filePaths: [] }
    expect(await ipc.invoke('dialog:open-files', fileApp)).toEqual([])
    answer = { canceled: false, filePaths: ['/x.onnx'] }
    expect(await ipc.invoke('dialog:open-files', 'https://evil.example/')).toEqual([])
  })
})
