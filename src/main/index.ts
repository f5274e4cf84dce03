// Electron shell: one secure window over the shared core, a native menu, and the IPC bridge.
import fs from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  BrowserWindow,
  Menu,
  Notification,
  app,
  dialog,
  ipcMain,
  safeStorage,
  session,
  shell,
} from 'electron'
import type { MenuItemConstructorOptions } from 'electron'
import { setWorkerScript } from '../core/jobs/run-task'
import { SLIPWAY_VERSION, Slipway } from '../core/service'
import { channels, type MenuCommand } from '../preload/bridge'
import {
  forwardEvents,
  registerCardPdf,
  registerFilePicker,
  registerIpc,
  type PdfPrinter,
} from './ipc'
import { watchDriftAlerts } from './notifications'
import {
  OpenedFiles,
  openListFile,
  openedPathsFromArgv,
  readOpenList,
  relaunchArgs,
  routeOpenedFiles,
  userArgs,
} from './open-files'
import {
  applyContentsSecurity,
  applySessionSecurity,
  isAllowedNavigation,
  isSafeExternalUrl,
  secureWebPreferences,
} from './security'

const isDev = !app.isPackaged && Boolean(process.env.ELECTRON_RENDERER_URL)

/** `--home DIR` or `--home=DIR` from the command line. */
function homeFromArgv(argv: string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    const next = argv[i + 1]
    if (arg === '--home' && next) return next
    if (arg.startsWith('--home=')) return arg.slice('--home='.length)
  }
  return undefined
}

const appUrl = isDev
  ? (process.env.ELECTRON_RENDERER_URL as string)
  : pathToFileURL(path.join(__dirname, '..', 'renderer', 'index.html')).href

let mainWindow: BrowserWindow | null = null
let slipway: Slipway | null = null

// Files opened from the OS wait here until the page can list them in its register dialog.
const opened = new OpenedFiles((paths) => mainWindow?.webContents.send(channels.openedFiles, paths))

/** The .onnx files this start was asked to open: from the command line, or a relaunch's list. */
function filesFromStart(): string[] {
  const args = userArgs(process.argv, app.isPackaged)
  const list = openListFile(args)
  return list ? readOpenList(list) : openedPathsFromArgv(args, process.cwd())
}

const openExternal = (url: string): void => {
  if (isSafeExternalUrl(url)) void shell.openExternal(url)
}

function sendMenuCommand(command: MenuCommand): void {
  mainWindow?.webContents.send(channels.menu, command)
}

function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Register model…',
          accelerator: 'CmdOrCtrl+O',
          click: () => sendMenuCommand('register-model'),
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(isDev || !app.isPackaged
          ? ([
              { role: 'reload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] as MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        {
          label: 'About Slipway',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Slipway',
              message: `Slipway ${SLIPWAY_VERSION}`,
              detail: `Local-first model operations.\nRegistry: ${slipway?.home ?? '—'}\nElectron ${process.versions.electron}`,
            }),
        },
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}

/**
 * The card's self-contained HTML (no scripts, its own CSP) printed in a hidden, script-less
 * window, saved where the user chooses.
 */
const printPdf: PdfPrinter = async (html, suggestedName) => {
  const target = await (mainWindow
    ? dialog.showSaveDialog(mainWindow, {
        defaultPath: suggestedName,
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      })
    : dialog.showSaveDialog({
        defaultPath: suggestedName,
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      }))
  if (target.canceled || !target.filePath) return null
  const printer = new BrowserWindow({
    show: false,
    // Spelled out as in createWindow so the scanner (scripts/check-electron.mjs) sees them here too.
    webPreferences: {
      ...secureWebPreferences,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
      javascript: false,
    },
  })
  try {
    await printer.loadURL(
      `data:text/html;charset=utf-8;base64,${Buffer.from(html).toString('base64')}`,
    )
    const pdf = await printer.webContents.printToPDF({ printBackground: true })
    await fs.writeFile(target.filePath, pdf)
    return target.filePath
  } finally {
    printer.destroy()
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 560,
    title: 'Slipway',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      ...secureWebPreferences,
      // The same values as secureWebPreferences, spelled out where the window is made so a scanner
      // reading this call (electronegativity, scripts/check-electron.mjs) sees them too.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
    },
  })
  window.once('ready-to-show', () => window.show())
  opened.notReady()
  window.webContents.on('did-finish-load', () => opened.ready())
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null
  })
  void window.loadURL(appUrl)
  return window
}

async function start(): Promise<void> {
  setWorkerScript(path.join(__dirname, 'worker.js'))
  const explicitHome = homeFromArgv(process.argv)
  // --home wins, then SLIPWAY_HOME (resolved by core), then Electron's per-user folder.
  const home = explicitHome ?? (process.env.SLIPWAY_HOME ? undefined : app.getPath('userData'))
  // The identity's private key is sealed with the OS keychain where Electron can reach one.
  const keyProtector = safeStorage.isEncryptionAvailable()
    ? {
        name: 'electron-safeStorage',
        encrypt: (plain: Buffer): Buffer => safeStorage.encryptString(plain.toString('base64')),
        decrypt: (sealed: Buffer): Buffer =>
          Buffer.from(safeStorage.decryptString(sealed), 'base64'),
      }
    : undefined
  slipway = new Slipway({ home, keyProtector })

  applySessionSecurity(session.defaultSession, appUrl)
  const isTrustedSender = (url: string): boolean => isAllowedNavigation(url, appUrl)
  registerIpc(ipcMain, slipway, { isTrustedSender })
  registerFilePicker(
    ipcMain,
    (options) =>
      mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options),
    { isTrustedSender },
  )
  registerCardPdf(ipcMain, slipway, printPdf, { isTrustedSender })
  forwardEvents(slipway, (channel, event) => mainWindow?.webContents.send(channel, event))
  // Drift crossings become desktop notifications; a click brings the window forward.
  watchDriftAlerts(slipway, ({ title, body }) => {
    if (!Notification.isSupported()) return
    const notification = new Notification({ title, body })
    notification.on('click', () => {
      if (mainWindow?.isMinimized()) mainWindow.restore()
      mainWindow?.focus()
    })
    notification.show()
  })

  Menu.setApplicationMenu(buildMenu())
  mainWindow = createWindow()
  opened.add(filesFromStart())
  slipway.startMonitors()
}

// Many files opened from the OS make a command line too long for ONNX Runtime (it crashes past
// ~28 KB): start again with the list in a file instead, before anything else happens.
const relaunch = relaunchArgs(process.argv, app.isPackaged, process.cwd())
if (relaunch) {
  app.relaunch({ args: relaunch })
  app.exit(0)
} else if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  routeOpenedFiles(app, opened, app.isPackaged)
  app.on('web-contents-created', (_event, contents) =>
    applyContentsSecurity(contents, appUrl, openExternal),
  )
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('activate', () => {
    if (slipway && BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => {
    slipway?.close()
    slipway = null
  })
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox(
        'Slipway could not start',
        error instanceof Error ? error.message : String(error),
      )
      app.exit(1)
    })
}
