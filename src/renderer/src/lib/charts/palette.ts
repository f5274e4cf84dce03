// The few colours every chart shares, so the same thing has the same colour on every page.
export const palette = {
  model: '#2357c6',
  champion: '#2357c6',
  challenger: '#d9822b',
  reference: '#9aa1ae',
  referenceBorder: '#7d8594',
  /** Drifted data: unseen categories, heatmap cells past their threshold. */
  drifted: '#c83e2d',
  driftedBorder: '#a3321f',
  best: '#1c7c45',
  grid: '#eceef2',
  text: '#677085',
  agree: [35, 87, 198] as const,
  disagree: [217, 130, 43] as const,
  driftedRgb: [200, 62, 45] as const,
  /** Heatmap and table text: dark on light cells, light on dark ones. */
  ink: '#1d2330',
  inkOnDark: '#ffffff',
  /** Cells with nothing measured. */
  empty: 'rgb(238, 240, 244)',
}

const cycle = ['#2357c6', '#d9822b', '#1c7c45', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d']

/** A distinct colour for the n-th series (classes of a one-vs-rest chart). */
export const seriesColor = (index: number): string => cycle[index % cycle.length] ?? palette.model

/** The colour with transparency, for fills. */
export function withAlpha(hex: string, alpha: number): string {
  const value = Number.parseInt(hex.slice(1), 16)
  const r = (value >> 16) & 255
  const g = (value >> 8) & 255
  const b = value & 255
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

/** A drift chart's reference (grey) and current (blue) bars, and unseen categories (red). */
export const driftColors = {
  reference: withAlpha(palette.reference, 0.75),
  referenceBorder: palette.referenceBorder,
  current: withAlpha(palette.model, 0.7),
  currentBorder: palette.model,
  unseen: withAlpha(palette.drifted, 0.85),
  unseenBorder: palette.driftedBorder,
  grid: palette.grid,
  text: palette.text,
}
