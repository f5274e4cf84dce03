// The renderer's pure helpers and its stores, driven through the IPC transport over a real core.
import { at } from '../helpers/at'
import { standInJobs } from '../helpers/home'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Api, ApiEvent } from '../../src/api/calls'
import { callNames } from '../../src/api/calls'
import { Slipway } from '../../src/core/service'
import type { SlipwayBridge } from '../../src/preload/bridge'
import {
  addDropHandler,
  describeDrop,
  routeDroppedFiles,
} from '../../src/renderer/src/lib/drop-targets'
import { formatBytes, formatShape } from '../../src/renderer/src/lib/format'
import {
  isOnnxFileName,
  modelNameFromFileName,
  modelNameProblem,
} from '../../src/renderer/src/lib/model-name'
import { initialJobsState, useJobs } from '../../src/renderer/src/stores/jobs'
import {
  initialRegisterDialogState,
  useRegisterDialog,
} from '../../src/renderer/src/stores/register-dialog'
import { initialRegistryState, useRegistry } from '../../src/renderer/src/stores/registry'
import { hrefFor, parseHash } from '../../src/renderer/src/stores/route'
import { setClient } from '../../src/renderer/src/transport/client'
import { createIpcClient } from '../../src/renderer/src/transport/ipc'

const fixture = (...parts: string[]): string => path.join(__dirname, '..', 'fixtures', ...parts)

describe('model names from file names', () => {
  it.each([
    ['churn.onnx', 'churn'],
    ['Churn Model (v2).ONNX', 'Churn-Model-v2'],
    ['/home/ana/models/fraud_xgb.onnx', 'fraud_xgb'],
    ['C:\\models\\fraud.onnx', 'fraud'],
    ['..hidden..model.onnx', 'hidden.model'],
    ['__init__.onnx', 'init'],
    ['modèle-été.onnx', 'modele-ete'],
    ['.onnx', 'model'],
    ['!!!.onnx', 'model'],
    ['模型.onnx', 'model'],
    [`${'a'.repeat(300)}.onnx`, 'a'.repeat(128)],
  ])('%s → %s', (fileName, expected) => {
    expect(modelNameFromFileName(fileName)).toBe(expected)
    expect(modelNameProblem(expected)).toBeNull()
  })

  it('explains a bad name in the contract’s words', () => {
    expect(modelNameProblem('')).toMatch(/empty/)
    expect(modelNameProblem('a/b')).toMatch(/letters, digits/)
    expect(modelNameProblem('a..b')).toMatch(/\.\./)
  })

  it('recognises .onnx files only', () => {
    expect(isOnnxFileName('a.onnx')).toBe(true)
    expect(isOnnxFileName('A.ONNX')).toBe(true)
    expect(isOnnxFileName('a.onnx.txt')).toBe(false)
    expect(isOnnxFileName('onnx')).toBe(false)
  })
})

describe('dropped files', () => {
  it('go to the newest handler that accepts them; the rest go to the register dialog', () => {
    const csv: File[][] = []
    const any: File[][] = []
    const removeAny = addDropHandler({
      accepts: (file) => file.name.endsWith('.parquet'),
      take: (files) => any.push(files),
      describe: 'parquet files: kept',
    })
    const removeCsv = addDropHandler({
      accepts: (file) => file.name.endsWith('.csv'),
      take: (files) => csv.push(files),
      describe: 'csv files: used by this form',
    })
    // The overlay says what the page on screen does with data files, then what .onnx files do.
    expect(describeDrop()).toEqual([
      'csv files: used by this form',
      'Model files (.onnx): the register dialog opens, to choose the model of each',
    ])
    const files = ['a.csv', 'm.onnx', 'b.csv', 'c.parquet'].map((name) => new File(['x'], name))
    expect(routeDroppedFiles(files).map((file) => file.name)).toEqual(['m.onnx'])
    expect(csv.map((batch) => batch.map((file) => file.name))).toEqual([['a.csv', 'b.csv']])
    expect(any.map((batch) => batch.map((file) => file.name))).toEqual([['c.parquet']])
    removeCsv()
    removeAny()
    expect(routeDroppedFiles(files)).toHaveLength(4)
  })
})

describe('routes and formatting', () => {
  it('encodes each segment so names cannot add path segments', () => {
    expect(hrefFor('registry', 'a/b', 3)).toBe('#/registry/a%2Fb/3')
    expect(parseHash(hrefFor('registry', 'a/b', 3))).toEqual(['registry', 'a/b', '3'])
    expect(parseHash('')).toEqual([])
    expect(parseHash('#/registry//x/')).toEqual(['registry', 'x'])
    expect(parseHash('#/%E0%A4%A')).toEqual(['%E0%A4%A'])
  })

  it('writes shapes and sizes for people', () => {
    expect(formatShape(['N', 4])).toBe('[N, 4]')
    expect(formatShape([])).toBe('scalar')
    expect(formatShape(null)).toBe('unknown')
    expect(formatBytes(609)).toBe('609 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB')
  })
})

describe('stores over the IPC transport and a real core', () => {
  let home: string
  let slipway: Slipway
  const events = new Set<(event: ApiEvent) => void>()
  // Where each File "lives" on disk, as Electron's webUtils.getPathForFile would report it.
  const locations = new WeakMap<File, string>()

  const fileFrom = (file: string, name = path.basename(file)): File => {
    const value = new File([fs.readFileSync(file)], name)
    locations.set(value, file)
    return value
  }

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-renderer-'))
    slipway = new Slipway({ home })
    slipway.onEvent((event) => events.forEach((listener) => listener(event)))
    // Built like the preload builds it: one function per call of the contract.
    const api = Object.fromEntries(
      callNames.map((name) => [
        name,
        (input: unknown) => slipway.invoke(name, input, { face: 'electron', readLocalPaths: true }),
      ]),
    ) as Api
    const bridge: SlipwayBridge = {
      ...api,
      onEvent: (listener) => {
        events.add(listener)
        return () => events.delete(listener)
      },
      onMenuCommand: () => () => {},
      onOpenedFiles: () => () => {},
      pathForFile: (file) => locations.get(file) ?? '',
      openFiles: async () => [],
      // Printing needs Electron's printToPDF; the IPC handler is tested in security.test.ts.
      saveCardPdf: async () => ({ ok: true, value: { saved: null } }),
    }
    setClient(createIpcClient(bridge))
  })

  afterAll(() => {
    slipway.close()
    fs.rmSync(home, { recursive: true, force: true })
  })

  beforeEach(() => {
    useRegistry.setState(initialRegistryState)
    useRegisterDialog.setState(initialRegisterDialogState)
    useJobs.setState(initialJobsState)
  })

  it('lists no models in a new registry', async () => {
    await useRegistry.getState().loadModels()
    expect(useRegistry.getState()).toMatchObject({
      modelsStatus: 'ready',
      models: [],
      modelsError: null,
    })
  })

  it('registers dropped files, skipping non-ONNX files and reporting broken ones', async () => {
    const dialog = useRegisterDialog.getState()
    dialog.openWith([
      { kind: 'file', file: fileFrom(fixture('models', 'linear_binary.onnx')) },
      {
        kind: 'file',
        file: fileFrom(fixture('models', 'linear_binary.sklearn.json'), 'notes.txt'),
      },
      { kind: 'file', file: fileFrom(fixture('bad', 'truncated.onnx')) },
    ])
    let state = useRegisterDialog.getState()
    expect(state.open).toBe(true)
    expect(state.items.map((item) => [item.fileName, item.model, item.status])).toEqual([
      ['linear_binary.onnx', 'linear_binary', 'ready'],
      ['notes.txt', 'notes.txt', 'skipped'],
      ['truncated.onnx', 'truncated', 'ready'],
    ])

    // A bad model name stops the whole batch before anything is written.
    state.setModel(at(state.items, 0).id, 'bad/name')
    await useRegisterDialog.getState().submit()
    state = useRegisterDialog.getState()
    expect(state.items[0]?.modelProblem).toMatch(/letters, digits/)
    expect(state.items[0]?.status).toBe('ready')
    expect((await slipway.call('registry:list-models', {})).models).toEqual([])

    state.setModel(at(state.items, 0).id, 'churn')
    state.setForm({ codeVersion: 'git:abc123', alias: 'champion' })
    await useRegisterDialog.getState().submit()
    state = useRegisterDialog.getState()
    expect(state.running).toBe(false)
    expect(state.items[0]).toMatchObject({
      status: 'registered',
      result: { model: 'churn', version: 1, existing: false },
    })
    expect(state.items[1]).toMatchObject({
      status: 'skipped',
      error: expect.stringMatching(/Not an \.onnx file/),
    })
    expect(state.items[2]?.status).toBe('failed')
    expect(state.items[2]?.error).toContain('truncated.onnx')
    // The registry list was refreshed after the batch.
    expect(
      useRegistry.getState().models.map((model) => [model.name, model.versionCount, model.aliases]),
    ).toEqual([['churn', 1, { champion: 1 }]])
    const version = await slipway.call('registry:get-version', { model: 'churn', ref: 1 })
    expect(version.codeVersion).toBe('git:abc123')
  })

  it('reports the same file again as already registered', async () => {
    useRegisterDialog
      .getState()
      .openWith([{ kind: 'file', file: fileFrom(fixture('models', 'linear_binary.onnx')) }])
    const item = at(useRegisterDialog.getState().items, 0)
    useRegisterDialog.getState().setModel(item.id, 'churn')
    await useRegisterDialog.getState().submit()
    expect(useRegisterDialog.getState().items[0]).toMatchObject({
      status: 'existing',
      result: { version: 1, existing: true },
    })
  })

  it('refuses a malformed alias in the form before registering', async () => {
    useRegisterDialog
      .getState()
      .openWith([{ kind: 'path', path: fixture('models', 'regression.onnx') }])
    useRegisterDialog.getState().setForm({ alias: '1st' })
    await useRegisterDialog.getState().submit()
    expect(useRegisterDialog.getState().aliasProblem).toMatch(/Alias must start with a letter/)
    expect(useRegisterDialog.getState().items[0]?.status).toBe('ready')
    useRegisterDialog.getState().setForm({ alias: '' })
    await useRegisterDialog.getState().submit()
    expect(useRegisterDialog.getState().items[0]).toMatchObject({
      status: 'registered',
      result: { model: 'regression' },
    })
  })

  it('loads a version and edits its aliases and tags, returning errors to show', async () => {
    const registry = useRegistry.getState()
    await registry.loadVersion('churn', 1)
    expect(useRegistry.getState().version?.onnx.inputs.map((input) => input.name)).toEqual([
      'input',
    ])
    expect(await registry.setAlias('churn', 1, 'production')).toBeNull()
    expect(useRegistry.getState().version?.aliases.sort()).toEqual(['champion', 'production'])
    expect(await registry.setAlias('churn', 7, 'production')).toBe('Model "churn" has no version 7')
    expect(useRegistry.getState().version?.aliases.sort()).toEqual(['champion', 'production'])
    expect(await registry.setTag('churn', 1, 'team', 'risk')).toBeNull()
    expect(useRegistry.getState().version?.tags).toEqual({ team: 'risk' })
    expect(await registry.removeTag('churn', 1, 'team')).toBeNull()
    expect(useRegistry.getState().version?.tags).toEqual({})
  })

  it('shows a missing model as an error on its page', async () => {
    await useRegistry.getState().loadModel('nobody')
    expect(useRegistry.getState()).toMatchObject({ model: null, modelStatus: 'error' })
    expect(useRegistry.getState().modelError).toContain('nobody')
  })

  it('keeps jobs current from pushed events', async () => {
    const unsubscribe = createIpcClientEvents()
    standInJobs(slipway).start('test', 'Store check', async () => 7)
    await new Promise((resolve) => setImmediate(resolve))
    const jobs = Object.values(useJobs.getState().jobs)
    expect(jobs.map((job) => [job.title, job.status])).toEqual([['Store check', 'done']])
    unsubscribe()
  })

  it('cancels a job and never shows it running again when the reply arrives after the event', async () => {
    const unsubscribe = createIpcClientEvents()
    const job = standInJobs(slipway).start(
      'test',
      'Long scoring',
      ({ signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('stop'))),
        ),
    )
    expect(useJobs.getState().jobs[job.id]?.status).toBe('running')
    expect(await useJobs.getState().cancel(job.id)).toBeNull()
    await slipway.core.jobs.wait(job.id)
    expect(useJobs.getState().jobs[job.id]?.status).toBe('cancelled')
    // A stale 'running' snapshot (e.g. the cancel reply) must not resurrect it.
    useJobs.getState().receive({ name: 'jobs:progress', payload: { ...job, status: 'running' } })
    expect(useJobs.getState().jobs[job.id]?.status).toBe('cancelled')
    expect(await useJobs.getState().cancel('nosuchjob')).toMatch(/No job nosuchjob/)
    unsubscribe()
  })

  function createIpcClientEvents(): () => void {
    const listener = (event: ApiEvent): void => useJobs.getState().receive(event)
    events.add(listener)
    return () => events.delete(listener)
  }
})
