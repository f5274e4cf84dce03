// The few colours every chart shares, so the same thing has the same colour on every page.
export const palette = {
  model: '#2357c6',
  champion: '#2357c6',
  challenger: '#d9822b',
  reference: '#9aa1ae',
  best: '#1c7c45',
  grid: '#eceef2',
  text: '#677085',
  agree: [35, 87, 198] as const,
  disagree: [217, 130, 43] as const,
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
