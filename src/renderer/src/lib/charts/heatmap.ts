// Shading for matrix tables (confusion matrix, label-flip matrix): a share in [0, 1] → a colour
// whose text stays readable.
import { palette } from './palette'

export interface HeatmapCell {
  count: number
  /** The share the shading shows: of the row (confusion) or of all rows (flip). */
  share: number
  background: string
  /** Dark text on light cells, white on dark ones. */
  color: string
  diagonal: boolean
}

export type Normalise = 'row' | 'total'

const MIN_ALPHA = 0.04
const MAX_ALPHA = 0.9
/** Above this opacity the blue/orange is dark enough that white text reads better. */
const LIGHT_TEXT_FROM = 0.55

/** Opacity for a share: a floor so a non-zero cell is visible, clamped to [0, 1]. */
export function shadeAlpha(share: number): number {
  if (!Number.isFinite(share) || share <= 0) return 0
  const clamped = Math.min(1, share)
  return MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * clamped
}

export function shade(
  share: number,
  rgb: readonly [number, number, number],
): { background: string; color: string } {
  const alpha = shadeAlpha(share)
  return {
    background:
      alpha === 0 ? 'transparent' : `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha.toFixed(3)})`,
    color: alpha >= LIGHT_TEXT_FROM ? palette.inkOnDark : palette.ink,
  }
}

/**
 * Cells of a square count matrix. Row-normalised shading shows recall per true class, so a rare
 * class is as visible as a common one; `disagreeOffDiagonal` shades off-diagonal cells in the
 * warning colour (a flip matrix's disagreements).
 */
export function heatmapCells(
  matrix: number[][],
  normalise: Normalise,
  disagreeOffDiagonal = false,
): HeatmapCell[][] {
  const total = matrix.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0)
  return matrix.map((row, i) => {
    const rowTotal = row.reduce((a, b) => a + b, 0)
    const denominator = normalise === 'row' ? rowTotal : total
    return row.map((count, j) => {
      const share = denominator > 0 ? count / denominator : 0
      const diagonal = i === j
      const rgb = disagreeOffDiagonal && !diagonal ? palette.disagree : palette.agree
      return { count, share, diagonal, ...shade(share, rgb) }
    })
  })
}

/** "93.8 %" with one decimal; "<0.1 %" for tiny non-zero shares. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '—'
  if (share > 0 && share < 0.001) return '<0.1 %'
  return `${(share * 100).toFixed(1)} %`
}
