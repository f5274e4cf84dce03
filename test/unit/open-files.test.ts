// Files opened from the OS reach the register dialog: argv at start-up, `second-instance`
// (Windows, Linux) and `open-file` (macOS), through a stand-in Electron app; many files relaunch the
// app with a short command line, so ONNX Runtime never runs in a process with a long one.
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { argvBytes, argvTooLong } from '../../src/core/onnx/argv-limit'
import {
  OPEN_LIST_FLAG,
  OpenedFiles,
  openListFile,
  openedPathsFromArgv,
  readOpenList,
  relaunchArgs,
  routeOpenedFiles,
  userArgs,
  type AppLike,
} from '../../src/main/open-files'
import {
  initialRegisterDialogState,
  openFilesInRegisterDialog,
  useRegisterDialog,
} from '../../src/renderer/src/stores/register-dialog'

/** The stand-in for Electron's `app`: an event emitter with the events the module listens to. */
class StandInApp extends EventEmitter implements AppLike {
  openFile(file: string): boolean {
    let prevented = false
    this.emit('open-file', { preventDefault: () => (prevented = true) }, file)
    return prevented
  }
  secondInstance(argv: string[], cwd: string): void {
    this.emit('second-instance', {}, argv, cwd)
  }
}

const many = Array.from({ length: 1500 }, (_, i) => `models/run-${String(i).padStart(4, '0')}.onnx`)

describe('opened files', () => {
  beforeEach(() => useRegisterDialog.setState(initialRegisterDialogState))

  it('takes .onnx arguments, skipping flags, flag values and other files', () => {
    expect(
      openedPathsFromArgv(
        ['--home', '/h/x.onnx', 'a.onnx', '--inspect', 'notes.txt', '/abs/B.ONNX'],
        '/work',
      ),
    ).toEqual(['/work/a.onnx', '/abs/B.ONNX'])
    expect(userArgs(['/opt/Slipway/slipway', 'a.onnx'], true)).toEqual(['a.onnx'])
    expect(userArgs(['/usr/bin/electron', '.', 'a.onnx'], false)).toEqual(['a.onnx'])
  })

  it('holds files until the window is ready, then lists them in the register dialog once', () => {
    const app = new StandInApp()
    const sent: string[][] = []
    const opened = new OpenedFiles((paths) => {
      sent.push(paths)
      openFilesInRegisterDialog(paths)
    })
    routeOpenedFiles(app, opened, true)
    expect(app.openFile('/models/early.onnx')).toBe(true) // macOS must be told it is handled
    expect(sent).toEqual([])
    opened.ready()
    expect(sent).toEqual([['/models/early.onnx']])
    app.secondInstance(['/opt/Slipway/slipway', 'churn.onnx', '--no-sandbox', 'readme.md'], '/data')
    expect(sent[1]).toEqual(['/data/churn.onnx'])
    const dialog = useRegisterDialog.getState()
    expect(dialog.open).toBe(true)
    expect(dialog.items.map((item) => [item.fileName, item.status, item.source])).toEqual([
      ['early.onnx', 'ready', { kind: 'path', path: '/models/early.onnx' }],
      ['churn.onnx', 'ready', { kind: 'path', path: '/data/churn.onnx' }],
    ])
    // A new window (macOS re-activation) waits for its page again.
    opened.notReady()
    app.openFile('/models/late.onnx')
    expect(sent).toHaveLength(2)
    opened.ready()
    expect(sent[2]).toEqual(['/models/late.onnx'])
  })

  it('leaves a short command line alone', () => {
    expect(relaunchArgs(['/opt/Slipway/slipway', 'a.onnx'], true, '/work')).toBeUndefined()
  })

  it('relaunches a start with 1,500 files with a short command line and the files in a list', () => {
    const argv = ['/opt/Slipway/slipway', '--home', '/h', ...many]
    expect(argvBytes(argv)).toBeGreaterThan(28 * 1024)
    const args = relaunchArgs(argv, true, '/work')!
    expect(args.slice(0, 3)).toEqual(['--home', '/h', OPEN_LIST_FLAG])
    expect(argvTooLong(['/opt/Slipway/slipway', ...args])).toBe(false)
    const list = openListFile(args)!
    expect(fs.statSync(list).mode & 0o077).toBe(0) // private to the user
    const files = readOpenList(list)
    expect(files).toHaveLength(1500)
    expect(files[0]).toBe(path.resolve('/work', many[0]!))
    expect(fs.existsSync(path.dirname(list))).toBe(false) // read once, then gone
    // The relaunched start lists them all in the dialog.
    const opened = new OpenedFiles(openFilesInRegisterDialog)
    opened.add(files)
    opened.ready()
    expect(useRegisterDialog.getState().items).toHaveLength(1500)
  })

  it('keeps the app path when unpackaged', () => {
    const args = relaunchArgs(['/usr/bin/electron', '/src/slipway', ...many], false, '/w')!
    expect(args[0]).toBe('/src/slipway')
    readOpenList(openListFile(args)!)
  })
})
