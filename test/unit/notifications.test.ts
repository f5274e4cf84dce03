// Which drift alerts become desktop notifications and what they say, driven by a real Slipway's
// event stream.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DriftAlert } from '../../src/api/drift'
import { Slipway } from '../../src/core/service'
import {
  driftNotification,
  notificationForEvent,
  watchDriftAlerts,
  type DriftNotification,
} from '../../src/main/notifications'

const alert = (patch: Partial<DriftAlert> = {}): DriftAlert => ({
  model: 'churn',
  status: 'dataset-drift',
  previous: 'no-drift',
  runId: 7,
  monitorId: 2,
  driftShare: 0.5,
  driftedColumns: ['income', 'balance'],
  message: 'churn: dataset drift',
  ...patch,
})

describe('drift notifications', () => {
  it('announces a crossing into dataset drift with the drifted columns', () => {
    expect(driftNotification(alert())).toEqual({
      title: 'Dataset drift: churn',
      body: '2 columns drifted (50% of tested columns): income, balance.',
      model: 'churn',
      runId: 7,
    })
  })

  it('names three columns and counts the rest for drifting columns', () => {
    const shown = driftNotification(
      alert({
        status: 'drifting-columns',
        previous: 'unknown',
        driftShare: 5 / 12,
        driftedColumns: ['a', 'b', 'c', 'd', 'e'],
      }),
    )
    expect(shown?.title).toBe('Drifting columns: churn')
    expect(shown?.body).toBe('5 columns drifted (41.7% of tested columns): a, b, c and 2 more.')
  })

  it('stays quiet when nothing crossed or the model recovered', () => {
    expect(driftNotification(alert({ status: 'no-drift', previous: 'dataset-drift' }))).toBeNull()
    expect(
      driftNotification(alert({ status: 'dataset-drift', previous: 'dataset-drift' })),
    ).toBeNull()
  })

  it('escapes control and direction characters in names', () => {
    const shown = driftNotification(
      alert({ model: 'churn\u202eexe', driftedColumns: ['in\u0007come'] }),
    )
    expect(shown?.title).toBe('Dataset drift: churn\\u202eexe')
    expect(shown?.body).toBe('1 column drifted (50% of tested columns): in\\x07come.')
    expect(shown?.model).toBe('churn\u202eexe')
  })

  it('ignores other events and malformed alert payloads', () => {
    expect(
      notificationForEvent({
        name: 'drift:alert',
        payload: { model: 'x' } as unknown as DriftAlert,
      }),
    ).toBeNull()
    expect(notificationForEvent({ name: 'drift:alert', payload: alert() })?.title).toBe(
      'Dataset drift: churn',
    )
  })
})

describe('watching a Slipway for alerts', () => {
  let home: string | null = null
  let slipway: Slipway | null = null
  afterEach(() => {
    slipway?.close()
    if (home) fs.rmSync(home, { recursive: true, force: true })
    slipway = null
    home = null
  })

  it('shows one notification per crossing pushed by the core and survives a failing show', () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-notify-'))
    slipway = new Slipway({ home })
    const shown: DriftNotification[] = []
    let fail = true
    const stop = watchDriftAlerts(slipway, (notification) => {
      if (fail) {
        fail = false
        throw new Error('no notification daemon')
      }
      shown.push(notification)
    })
    slipway.core.emit({ name: 'drift:alert', payload: alert({ model: 'first' }) })
    slipway.core.emit({ name: 'drift:alert', payload: alert({ model: 'second' }) })
    slipway.core.emit({
      name: 'drift:alert',
      payload: alert({ model: 'same', previous: 'dataset-drift' }),
    })
    stop()
    slipway.core.emit({ name: 'drift:alert', payload: alert({ model: 'after-stop' }) })
    expect(shown.map((n) => n.model)).toEqual(['second'])
  })
})
