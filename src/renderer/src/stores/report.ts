// Report downloads: a stored result exported by the core (HTML, JSON or CSV) and saved by the
// browser as a file; the last error per report, shown next to its buttons.
import { create } from 'zustand'
import type { ReportFormat, ReportKind } from '../../../api/report'
import { client } from '../transport/client'

export interface ReportState {
  /** `drift:12` → the message of its last failed download. */
  errors: Record<string, string>
  busy: Record<string, boolean>
  download(kind: ReportKind, id: number, format: ReportFormat): Promise<void>
}

export const initialReportState = { errors: {}, busy: {} }

export const reportKey = (kind: ReportKind, id: number): string => `${kind}:${id}`

/** Saves text as a file through a temporary object URL (works in Electron and the browser). */
function save(fileName: string, mimeType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.style.display = 'none'
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const useReport = create<ReportState>()((set, get) => ({
  ...initialReportState,
  async download(kind, id, format) {
    const key = reportKey(kind, id)
    set({ busy: { ...get().busy, [key]: true }, errors: { ...get().errors, [key]: '' } })
    const result = await client().call('report:export', { kind, id, format })
    set({ busy: { ...get().busy, [key]: false } })
    if (!result.ok) {
      set({ errors: { ...get().errors, [key]: result.error.message } })
      return
    }
    save(result.value.fileName, result.value.mimeType, result.value.content)
  },
}))
