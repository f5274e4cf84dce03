// Electron shell: one secure window over the shared core, a native menu, and the IPC bridge.
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
import { forwardEvents, registerFilePicker, registerIpc } from './ipc'
import { watchDriftAlerts } from './notifications'
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
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--home' && argv[i + 1]) return argv[i + 1]
    if (argv[i].startsWith('--home=')) return argv[i].slice('--home='.length)
  }
  return undefined
}

const appUrl = isDev
  ? (process.env.ELECTRON_RENDERER_URL as string)
  : pathToFileURL(path.join(__dirname, '..', 'renderer', 'index.html')).href

let mainWindow: BrowserWindow | null = null
let slipway: Slipway | null = null

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
      preload: path.join(__dirname, '..', 'preload', 'index.js'),
    },
  })
  window.once('ready-to-show', () => window.show())
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
  slipway.startMonitors()
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
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
