// Reports people can keep: a stored drift run, evaluation, shadow comparison or gate report as a
// self-contained HTML file, as JSON, or its tables as CSV.
import { z } from 'zod'

export const ReportKind = z.enum(['drift', 'evaluation', 'shadow', 'gate'])
export type ReportKind = z.infer<typeof ReportKind>

export const ReportFormat = z.enum(['html', 'json', 'csv'])
export type ReportFormat = z.infer<typeof ReportFormat>

export const ReportFile = z.object({
  /** A file name to save it under, e.g. `drift-run-12.html`. */
  fileName: z.string(),
  mimeType: z.string(),
  content: z.string(),
})
export type ReportFile = z.infer<typeof ReportFile>

export const reportCalls = {
  'report:export': {
    input: z
      .object({ kind: ReportKind, id: z.number().int().positive(), format: ReportFormat })
      .strict(),
    output: ReportFile,
  },
} as const
