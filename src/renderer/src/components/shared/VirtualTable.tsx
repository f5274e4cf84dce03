// A long table that keeps only the rows in view (plus a few) in the DOM: a real <table> whose
// body holds a spacer row above and below the window, so columns line up and rows stay links.
// Asks for the next page when the window nears the last row loaded.
import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, type ReactNode } from 'react'

export function VirtualTable<T>({
  rows,
  rowKey,
  header,
  renderRow,
  columns,
  estimateRowHeight,
  hasMore,
  onMore,
  testId,
  className = 'data',
}: {
  rows: readonly T[]
  rowKey(row: T): string | number
  /** The <tr> of the header, sticky while the body scrolls. */
  header: ReactNode
  /** One <tr>; give it `data-index={index}` and `ref={measure}` so its height is measured. */
  renderRow(
    row: T,
    index: number,
    measure: (element: HTMLTableRowElement | null) => void,
  ): ReactNode
  columns: number
  estimateRowHeight: number
  /** More rows wait on the server: `onMore` fetches the next page. */
  hasMore: boolean
  onMore(): void
  testId: string
  className?: string
}) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateRowHeight,
    overscan: 10,
    getItemKey: (index) => {
      const row = rows[index]
      return row === undefined ? index : rowKey(row)
    },
  })
  const items = virtualizer.getVirtualItems()
  const lastShown = items.at(-1)?.index ?? -1
  useEffect(() => {
    if (hasMore && lastShown >= rows.length - 20) onMore()
  }, [hasMore, lastShown, rows.length, onMore])

  const top = items[0]?.start ?? 0
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0)
  return (
    <div className="virtual-scroll" ref={scrollRef} data-testid={`${testId}-scroll`}>
      <table className={className} data-testid={testId}>
        <thead>{header}</thead>
        <tbody>
          {top > 0 && (
            <tr aria-hidden="true" className="virtual-spacer">
              <td colSpan={columns} style={{ height: top, padding: 0, border: 'none' }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index]
            return row === undefined ? null : renderRow(row, item.index, virtualizer.measureElement)
          })}
          {bottom > 0 && (
            <tr aria-hidden="true" className="virtual-spacer">
              <td colSpan={columns} style={{ height: bottom, padding: 0, border: 'none' }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  )
}
