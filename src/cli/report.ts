// `--html FILE` for drift, evaluate, shadow and gate: the stored result as a self-contained HTML
// report, written to a temporary name and renamed so a failed write never leaves half a file.
import fs from 'node:fs'
import path from 'node:path'
import { SlipwayError } from '../api/errors'
import type { ReportKind } from '../api/report'
import type { Slipway } from '../core/service'

/** Refuses an --html path whose folder is missing, before any work starts. */
export function checkHtmlTarget(file: string | undefined): void {
  if (file === undefined) return
  if (!file.trim()) throw new SlipwayError('INVALID_INPUT', '--html: give a file name')
  const folder = path.dirname(path.resolve(file))
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(folder)
  } catch {
    // reported below
  }
  if (!stat?.isDirectory())
    throw new SlipwayError('INVALID_INPUT', `--html ${file}: the folder ${folder} does not exist`)
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw new SlipwayError('INVALID_INPUT', `--html ${file}: is a folder; give a file name`)
}

export async function writeHtmlReport(
  slipway: Slipway,
  kind: ReportKind,
  id: number,
  file: string,
): Promise<void> {
  const report = await slipway.call('report:export', { kind, id, format: 'html' })
  const tmp = `${file}.${process.pid}.part`
  try {
    fs.writeFileSync(tmp, report.content)
    fs.renameSync(tmp, file)
  } catch (error) {
    fs.rmSync(tmp, { force: true })
    throw new SlipwayError(
      'INVALID_INPUT',
      `--html ${file}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
  }
}
