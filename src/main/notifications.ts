// Desktop notifications for drift alerts: which alert is worth a notification and what it says
// is decided here as pure functions (tested in Node); main/index.ts only hands the result to
// Electron's Notification.
import type { ApiEvent } from '../api/calls'
import { displayText } from '../api/display'
import { DriftAlert } from '../api/drift'

export interface DriftNotification {
  title: string
  body: string
  /** The model the alert is about, so a click can bring its page up. */
  model: string
  runId: number
}

/** Drifted columns named in the body; the rest are counted. */
export const NAMED_COLUMNS = 3

const percent = (share: number): string => {
  const value = Math.round(share * 1000) / 10
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)}%`
}

/**
 * What to show for an alert, or null when there is nothing to tell: a crossing into drift
 * (status differs from the previous one and is not `no-drift`). Names come from files and
 * models, so they are escaped and shortened like everywhere else.
 */
export function driftNotification(alert: DriftAlert): DriftNotification | null {
  if (alert.status === 'no-drift' || alert.status === alert.previous) return null
  const model = displayText(alert.model, 60)
  const title =
    alert.status === 'dataset-drift' ? `Dataset drift: ${model}` : `Drifting columns: ${model}`
  const named = alert.driftedColumns.slice(0, NAMED_COLUMNS).map((name) => displayText(name, 40))
  const more = alert.driftedColumns.length - named.length
  const columns =
    named.length === 0 ? '' : `: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
  const count = alert.driftedColumns.length
  const body = `${count} ${count === 1 ? 'column' : 'columns'} drifted (${percent(alert.driftShare)} of tested columns)${columns}.`
  return { title, body: displayText(body, 240), model: alert.model, runId: alert.runId }
}

/**
 * The notification for a pushed core event, or null for any other event or a malformed alert
 * (the payload is checked against the contract: main trusts the core, but not blindly).
 */
export function notificationForEvent(event: ApiEvent): DriftNotification | null {
  if (event.name !== 'drift:alert') return null
  const parsed = DriftAlert.safeParse(event.payload)
  return parsed.success ? driftNotification(parsed.data) : null
}

export interface AlertSource {
  onEvent(listener: (event: ApiEvent) => void): () => void
}

/**
 * Calls `show` for every drift alert worth a notification; returns the unsubscribe function.
 * `show` errors are swallowed: a notification that fails must not break the event stream.
 */
export function watchDriftAlerts(
  source: AlertSource,
  show: (notification: DriftNotification) => void,
): () => void {
  return source.onEvent((event) => {
    const notification = notificationForEvent(event)
    if (!notification) return
    try {
      show(notification)
    } catch {
      // The OS refused (no notification daemon, permissions): the alert is still in history.
    }
  })
}
