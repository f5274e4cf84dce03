// Drift per column over time windows as a shaded grid: each cell's shade is the statistic
// relative to its threshold (see driftScore), so cells of different tests compare.
import { driftScore, type ColumnVerdictLike } from './drift-severity'
import { palette } from './palette'

/** A score at this multiple of the threshold or above gets the darkest shade. */
export const FULL_SHADE_AT = 2

export interface Shade {
  /** 0..1; the threshold itself (score 1) sits at 0.5. */
  level: number
  background: string
  color: string
}

const DRIFT_RGB = palette.driftedRgb
const CALM_RGB = palette.agree

/**
 * Below the threshold a light blue that deepens towards it; at and above the threshold a red
 * that darkens up to FULL_SHADE_AT × threshold. Unmeasured cells are grey.
 */
export function shadeForScore(score: number | null): Shade {
  if (score === null || !Number.isFinite(score) || score < 0) {
    return { level: 0, background: palette.empty, color: palette.text }
  }
  const level = Math.min(1, score / FULL_SHADE_AT)
  if (score < 1) {
    const alpha = 0.06 + 0.3 * score
    return { level, background: rgba(CALM_RGB, alpha), color: palette.ink }
  }
  const alpha = 0.45 + 0.5 * Math.min(1, (score - 1) / (FULL_SHADE_AT - 1))
  return {
    level,
    background: rgba(DRIFT_RGB, alpha),
    color: alpha > 0.6 ? palette.inkOnDark : palette.ink,
  }
}

function rgba(rgb: readonly [number, number, number], alpha: number): string {
  return `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${Math.round(alpha * 1000) / 1000})`
}

export interface WindowLike<C extends ColumnVerdictLike = ColumnVerdictLike> {
  label: string
  rows: number
  columns: readonly C[]
}

export interface HeatmapCell extends Shade {
  score: number | null
  drifted: boolean
  statistic: number | null
  /** The column was absent from this window (e.g. no rows in it). */
  missing: boolean
}

export interface HeatmapRow {
  column: string
  cells: HeatmapCell[]
  driftedWindows: number
}

/** Rows are columns in the given order (the table's severity order), cells are windows in time. */
export function heatmapRows(
  windows: readonly WindowLike[],
  columnOrder: readonly string[],
): HeatmapRow[] {
  const byWindow = windows.map(
    (window) => new Map(window.columns.map((column) => [column.name, column])),
  )
  return columnOrder.map((name) => {
    const cells = byWindow.map((columns): HeatmapCell => {
      const column = columns.get(name)
      if (!column) {
        return {
          ...shadeForScore(null),
          score: null,
          drifted: false,
          statistic: null,
          missing: true,
        }
      }
      const score = driftScore(column)
      return {
        ...shadeForScore(score),
        score,
        drifted: column.drifted,
        statistic: column.statistic,
        missing: false,
      }
    })
    return { column: name, cells, driftedWindows: cells.filter((cell) => cell.drifted).length }
  })
}
