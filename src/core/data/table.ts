// The in-memory, column-oriented dataset every engine works on (evaluation, shadow, drift).
// One copy per dataset: numeric columns are Float64Arrays, the rest dictionary-encoded.

export type ColumnKind = 'numeric' | 'categorical' | 'boolean' | 'timestamp' | 'text'

export interface NumericColumn {
  name: string
  kind: 'numeric'
  /** NaN where the cell is missing or an explicit NaN; see `missing` to tell them apart. */
  values: Float64Array
  /** 1 where the cell was empty (missing), 0 otherwise. */
  missing: Uint8Array
  missingCount: number
}

export interface TimestampColumn {
  name: string
  kind: 'timestamp'
  /** Milliseconds since the Unix epoch, UTC; NaN where missing. */
  values: Float64Array
  missing: Uint8Array
  missingCount: number
}

export interface CodedColumn {
  name: string
  kind: 'categorical' | 'boolean' | 'text'
  /** Index into `categories`, or -1 where missing. */
  codes: Int32Array
  /** Distinct values in order of first appearance (`false`/`true` for boolean columns). */
  categories: string[]
  missingCount: number
}

export type Column = NumericColumn | TimestampColumn | CodedColumn

export interface Table {
  rowCount: number
  columns: Column[]
}

export const findColumn = (table: Table, name: string): Column | undefined =>
  table.columns.find((c) => c.name === name)

/** The cell as text, for reports (top disagreements, slices). */
export function cellText(column: Column, row: number): string | null {
  if (column.kind === 'numeric' || column.kind === 'timestamp') {
    if (column.missing[row]) return null
    const v = column.values[row] ?? NaN
    return column.kind === 'timestamp' ? new Date(v).toISOString() : String(v)
  }
  const code = column.codes[row] ?? -1
  return code < 0 ? null : (column.categories[code] ?? null)
}
