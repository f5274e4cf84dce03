// The engine's per-column sentence is "<verdict>, chosen because <why this test>". The second half
// is usually the same for many columns: said once above the table, each row keeps its verdict.

const SEPARATOR = ', chosen because '

export interface SharedReason {
  /** "the reference has 800 rows (≤ 1,000) and the column is numeric …" */
  reason: string
  columns: string[]
}

export interface SplitReasons {
  /** Reasons shared by two or more columns, most common first. */
  shared: SharedReason[]
  /** What each row shows: its verdict alone when its reason is shared, else the whole sentence. */
  rowText: Map<string, string>
}

export function splitReasons(columns: { name: string; why: string }[]): SplitReasons {
  const byReason = new Map<string, string[]>()
  for (const column of columns) {
    const at = column.why.indexOf(SEPARATOR)
    if (at < 0) continue
    const reason = column.why.slice(at + SEPARATOR.length).replace(/\.$/, '')
    byReason.set(reason, [...(byReason.get(reason) ?? []), column.name])
  }
  const shared = [...byReason]
    .filter(([, names]) => names.length > 1)
    .map(([reason, names]) => ({ reason, columns: names }))
    .sort((a, b) => b.columns.length - a.columns.length)
  const sharedSet = new Set(shared.map((s) => s.reason))
  const rowText = new Map<string, string>()
  for (const column of columns) {
    const at = column.why.indexOf(SEPARATOR)
    const reason = at < 0 ? null : column.why.slice(at + SEPARATOR.length).replace(/\.$/, '')
    rowText.set(
      column.name,
      reason !== null && sharedSet.has(reason) ? column.why.slice(0, at) : column.why,
    )
  }
  return { shared, rowText }
}
