// Numbers, sizes, dates and shapes written for people.
import type { TensorInfo } from '../../../api/registry'

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function formatCount(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : '—'
}

/** `2026-11-25 14:03` in the viewer's time zone; the raw value if it is not a date. */
export { localTime as formatTime } from '../../../api/display'

/** `[batch, 4]`, `[1, ?]`, or `scalar` / `unknown`. */
export function formatShape(shape: TensorInfo['shape']): string {
  if (shape === null) return 'unknown'
  if (shape.length === 0) return 'scalar'
  return `[${shape.map((dim) => String(dim)).join(', ')}]`
}

export const shortHash = (sha256: string): string => sha256.slice(0, 12)
