// The Drift view's slice: the form in the contract's words, and a drift run driven through the
// real core (a Slipway on a temp home behind an in-process ApiClient, job events included).
import type { Job } from '../../src/api/jobs'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { Slipway } from '../../src/core/service'
import {
  dataProblems,
  followDriftAlerts,
  initialDriftForm,
  initialDriftState,
  reportFromJob,
  settingsFromForm,
  startInput,
  useDrift,
} from '../../src/renderer/src/stores/drift'
import { initialJobsState, useJobs } from '../../src/renderer/src/stores/jobs'
import { setClient, type ApiClient } from '../../src/renderer/src/transport/client'

const root = path.resolve(__dirname, '..', '..')
const data = (name: string): string => path.join(root, 'test', 'fixtures', 'data', name)
const fileOf = (file: string, name = path.basename(file)): File =>
  new File([fs.readFileSync(file)], name, { type: 'text/csv' })

let home: string
let uploads: string
let slipway: Slipway

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-drift-store-'))
  uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-drift-store-files-'))
  slipway = new Slipway({ home })
  // The Electron transport's shape: files become local paths, events come from the core.
  const api: ApiClient = {
    face: 'electron',
    call: (name, input) => slipway.invoke(name, input, { face: 'electron', readLocalPaths: true }),
    onEvent: (listener) => slipway.onEvent(listener),
    async uploadOrPath(file, onProgress) {
      const target = path.join(uploads, file.name)
      fs.writeFileSync(target, Buffer.from(await file.arrayBuffer()))
      onProgress(1)
      return { path: target }
    },
    openFiles: null,
    onMenuCommand: () => () => {},
    onOpenedFiles: () => () => {},
  }
  setClient(api)
  slipway.onEvent((event) => useJobs.getState().receive(event))
})

afterAll(() => {
  slipway.close()
  fs.rmSync(home, { recursive: true, force: true })
  fs.rmSync(uploads, { recursive: true, force: true })
})

beforeEach(() => {
  useDrift.setState(initialDriftState)
  useJobs.setState(initialJobsState)
})

describe('the drift form', () => {
  it('turns options into settings and names every field the user must fix', () => {
    const good = settingsFromForm({
      ...initialDriftForm,
      bins: '20',
      threshold: '0.2',
      driftShare: '0.4',
      timeMode: 'window',
      timestampColumn: ' event_time ',
      window: 'week',
      overrides: [
        { column: 'income', method: 'psi', threshold: '0.25' },
        { column: 'age', method: '', threshold: '' },
        { column: '', method: 'ks', threshold: '' },
      ],
    })
    expect(good.problems).toEqual({})
    expect(good.settings).toEqual({
      bins: 20,
      threshold: 0.2,
      driftShare: 0.4,
      timestampColumn: 'event_time',
      window: 'week',
      columns: { income: { method: 'psi', threshold: 0.25 } },
    })

    const bad = settingsFromForm({
      ...initialDriftForm,
      bins: '1',
      threshold: '-1',
      driftShare: '1.5',
      timeMode: 'chunks',
      chunks: 'many',
      overrides: [{ column: 'income', method: '', threshold: '0' }],
    })
    expect(Object.keys(bad.problems).sort()).toEqual(
      ['bins', 'chunks', 'driftShare', 'overrides', 'threshold'].sort(),
    )
    expect(bad.problems.overrides).toContain('income')
    expect(
      settingsFromForm({ ...initialDriftForm, timeMode: 'window' }).problems.timestampColumn,
    ).toBe('Name the timestamp column')
  })

  it('asks for the data it lacks and builds the contract’s start input', () => {
    const missing = dataProblems(
      { ...initialDriftForm, referenceKind: 'version', currentKind: 'dataset', predictions: true },
      { reference: null, current: null },
    )
    expect(Object.keys(missing).sort()).toEqual(['currentDataset', 'predictions', 'referenceKind'])

    const form = {
      ...initialDriftForm,
      model: 'churn',
      version: '3',
      referenceKind: 'version' as const,
      currentKind: 'dataset' as const,
      currentDataset: '7',
      predictions: true,
    }
    expect(dataProblems(form, { reference: null, current: null })).toEqual({})
    expect(startInput(form, { bins: 10 }, { reference: null, current: null })).toEqual({
      reference: { version: { model: 'churn', ref: 3 } },
      current: { dataset: 7 },
      model: { model: 'churn', ref: 3 },
      settings: { bins: 10 },
    })
    const byAlias = startInput(
      {
        ...form,
        version: 'champion',
        referenceKind: 'file',
        currentKind: 'file',
        predictions: false,
      },
      {},
      { reference: { path: '/a.csv' }, current: { uploadId: 'abcdefgh12' } },
    )
    expect(byAlias).toEqual({
      reference: { file: { path: '/a.csv' } },
      current: { file: { uploadId: 'abcdefgh12' } },
      settings: {},
    })
  })

  it('refuses a job result that is not a drift report', () => {
    const job = (kind: string, result: unknown): Job => ({
      id: 'job123',
      kind,
      title: 'Drift',
      status: 'done',
      progress: { done: 1, total: 1, message: 'Done' },
      createdAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      error: null,
      result,
    })
    expect(reportFromJob(job('drift', null))).toBeNull()
    expect(reportFromJob(job('drift', { datasetDrift: true }))).toBeNull()
    expect(reportFromJob(job('evaluate', { datasetDrift: true }))).toBeNull()
  })
})

describe('a drift run through the real core', () => {
  it('uploads both files, follows the job and shows the stored report', async () => {
    const { setFile, start } = useDrift.getState()
    setFile('reference', fileOf(data('linear_binary-train.csv')))
    setFile('current', fileOf(data('linear_binary-drifted.csv')))
    useDrift.getState().setForm({ timeMode: 'chunks', chunks: '3' })
    await start()
    await vi.waitFor(() => expect(useDrift.getState().run.status).toBe('done'), {
      timeout: 60_000,
      interval: 20,
    })
    const { report, reportRunId, run } = useDrift.getState()
    expect(run.progress).toBe(1)
    expect(report).not.toBeNull()
    expect(reportRunId).toBe(report!.id)
    const stored = await slipway.call('drift:get', { runId: reportRunId! })
    expect(report).toEqual(stored.report)
    expect(
      report!.columns
        .filter((c) => c.drifted)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['balance', 'income'])
    expect(report!.windows?.items).toHaveLength(3)
    await vi.waitFor(() =>
      expect(useDrift.getState().history.map((h) => h.id)).toContain(reportRunId),
    )
  })

  it('shows the core’s message when the data cannot be read, and stores no run', async () => {
    const empty = path.join(uploads, 'empty.csv')
    fs.writeFileSync(empty, '')
    const before = await slipway.call('drift:list', {})
    useDrift.getState().setFile('reference', fileOf(data('linear_binary-train.csv')))
    useDrift.getState().setFile('current', fileOf(empty, 'empty-export.csv'))
    await useDrift.getState().start()
    await vi.waitFor(() => expect(useDrift.getState().run.status).toBe('failed'), {
      timeout: 60_000,
      interval: 20,
    })
    expect(useDrift.getState().run.error).toMatch(/empty-export\.csv/)
    expect(useDrift.getState().report).toBeNull()
    expect(await slipway.call('drift:list', {})).toHaveLength(before.length)
  })

  it('does not start without files and says which are missing', async () => {
    await useDrift.getState().start()
    expect(useDrift.getState().run.status).toBe('idle')
    expect(useDrift.getState().problems).toEqual({
      referenceFile: 'Choose the reference CSV or Parquet file',
      currentFile: 'Choose the current CSV or Parquet file',
    })
  })
})

describe('monitors from the desktop app', () => {
  it('creates a monitor for a model, lists it, explains bad input and deletes it', async () => {
    await slipway.call(
      'registry:register',
      {
        file: { path: path.join(root, 'test', 'fixtures', 'models', 'linear_binary.onnx') },
        model: 'churn',
        trainingData: { path: data('linear_binary-train.csv') },
      },
      { face: 'cli', readLocalPaths: true },
    )
    await useDrift.getState().chooseModel('churn')
    expect(useDrift.getState().form.version).toBe('1')
    expect(useDrift.getState().form.referenceKind).toBe('version')
    const draft = {
      model: 'churn',
      name: 'weekly export',
      versionRef: '1',
      referenceKind: 'version' as const,
      referenceDataset: '',
      sourceKind: 'folder' as const,
      sourcePath: uploads,
      threshold: '',
      driftShare: '0.5',
      label: '',
      performanceDrop: '',
      logPrediction: '',
      logScore: '',
      logLatency: '',
      logValue: '',
    }
    const { createMonitor, deleteMonitor } = useDrift.getState()
    expect(await createMonitor({ ...draft, sourcePath: ' ' })).toBe(
      'Name the file or folder the current data comes from',
    )
    expect(await createMonitor({ ...draft, driftShare: '2' })).toBe(
      'Dataset drift share must be above 0 and at most 1',
    )
    expect(await createMonitor({ ...draft, sourcePath: path.join(uploads, 'nowhere') })).toMatch(
      /nowhere/,
    )
    expect(await createMonitor(draft)).toBeNull()
    const [monitor] = useDrift.getState().monitors
    expect(monitor).toMatchObject({
      name: 'weekly export',
      model: 'churn',
      versionRef: '1',
      source: { kind: 'folder', path: uploads },
    })
    expect(await deleteMonitor(monitor!.id)).toBeNull()
    expect(useDrift.getState().monitors).toEqual([])
    // Column roles of a production log are remembered with the monitor.
    expect(await createMonitor({ ...draft, performanceDrop: '-1' })).toBe(
      'The allowed drop must be a number above 0 and at most 1000000000000',
    )
    expect(
      await createMonitor({
        ...draft,
        label: 'label',
        performanceDrop: '0.05',
        logScore: 'served_score',
        logLatency: 'latency_ms',
        logValue: 'revenue',
      }),
    ).toBeNull()
    const [logged] = useDrift.getState().monitors
    expect(logged!.settings.label).toBe('label')
    expect(logged!.settings.performanceDrop).toBe(0.05)
    expect(logged!.settings.log).toEqual({
      prediction: null,
      score: 'served_score',
      latency: 'latency_ms',
      value: 'revenue',
    })
    expect(await deleteMonitor(logged!.id)).toBeNull()
  })

  it('refreshes the model badges when the core raises a drift alert', async () => {
    followDriftAlerts()
    // Freshly loaded (so a badge would not ask again) but empty.
    useDrift.setState({ modelStatus: {}, modelStatusLoadedAt: Date.now() })
    await useDrift.getState().loadModelStatus()
    expect(useDrift.getState().modelStatus).toEqual({})
    slipway.core.emit({
      name: 'drift:alert',
      payload: {
        model: 'churn',
        status: 'dataset-drift',
        previous: 'no-drift',
        runId: 1,
        monitorId: null,
        driftShare: 0.5,
        driftedColumns: ['income'],
        message: 'churn: dataset drift',
      },
    })
    await vi.waitFor(() => expect(useDrift.getState().modelStatus['churn']).toBeDefined())
    // reloaded from the core, not made up from the alert
    const fromCore = await slipway.call('drift:model-status', {})
    expect(fromCore.map((s) => s.model)).toContain('churn')
    expect(useDrift.getState().modelStatus).toEqual(
      Object.fromEntries(fromCore.map((s) => [s.model, s])),
    )
  })
})
