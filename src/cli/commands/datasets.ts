// CLI commands of the datasets feature: `dataset add`, `datasets`, `dataset show`, `dataset remove`.
import type { Command } from 'commander'
import type { ColumnProfile, DatasetDetail, DatasetImported } from '../../api/datasets'
import type { Slipway } from '../../core/service'
import { withSlipway } from '../context'
import { waitForJob } from '../jobs'
import { printJson, printTable, safe, when, type GlobalOptions } from '../output'
import { removedText } from './trash'

/** Runs `datasets:add` as the window does (a job) and waits for its result. */
export async function addDataset(
  slipway: Slipway,
  file: string,
  name: string | undefined,
  showProgress: boolean,
): Promise<DatasetImported> {
  const job = await slipway.call('datasets:add', {
    file: { path: file },
    ...(name ? { name } : {}),
  })
  return waitForJob(slipway, job, 'dataset-import', showProgress)
}

const kindsOf = (profile: ColumnProfile[]): Record<string, string> =>
  Object.fromEntries(profile.map((c) => [c.name, c.kind]))

const formatStat = (value: number | null, kind: ColumnProfile['kind'], spread = false): string => {
  if (value === null) return ''
  if (kind === 'timestamp')
    return spread ? `${(value / 86_400_000).toPrecision(4)} days` : new Date(value).toISOString()
  return Number.isInteger(value) ? String(value) : value.toPrecision(6)
}

function printProfile(dataset: DatasetDetail): void {
  process.stdout.write(`Dataset ${dataset.id}: ${safe(dataset.name)}\n`)
  process.stdout.write(`  sha256   ${dataset.sha256}\n`)
  process.stdout.write(`  format   ${dataset.format}, ${dataset.size} bytes\n`)
  process.stdout.write(`  rows     ${dataset.rows}\n`)
  process.stdout.write(`  imported ${when(dataset.createdAt)} by ${safe(dataset.createdBy)}\n\n`)
  printTable(
    dataset.profile.map((c) => ({
      column: c.name,
      kind: c.kind,
      // NaN and infinities are left out of min/mean/max: say how many there are beside them.
      missing:
        String(c.missing) +
        (c.nanCount ? ` (+${c.nanCount} NaN)` : '') +
        (c.infinityCount ? ` (+${c.infinityCount} ±inf)` : ''),
      distinct: c.distinct,
      min: formatStat(c.min, c.kind),
      mean: formatStat(c.mean, c.kind),
      std: formatStat(c.std, c.kind, true),
      max: formatStat(c.max, c.kind),
      top: c.topValues
        .slice(0, 3)
        .map((t) => `${safe(t.value, 24)} (${t.count})`)
        .join(', '),
    })),
    ['column', 'kind', 'missing', 'distinct', 'min', 'mean', 'std', 'max', 'top'],
  )
}

export function registerDatasetCommands(program: Command): void {
  const dataset = program
    .command('dataset')
    .description('import and inspect datasets (CSV, Parquet)')

  dataset
    .command('add')
    .description('import a CSV or Parquet file as a dataset')
    .argument('<file>', 'the CSV or Parquet file')
    .option(
      '--name <name>',
      'dataset name, unique (default: the file name without extension, made unique as NAME-2, NAME-3, …)',
    )
    .action(async (file: string, opts: { name?: string }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(options, async (slipway) => {
        const result = await addDataset(
          slipway,
          file,
          opts.name,
          !options.json && process.stderr.isTTY === true,
        )
        if (options.json) {
          printJson({
            id: result.id,
            name: result.name,
            sha256: result.sha256,
            size: result.size,
            format: result.format,
            rows: result.rows,
            columns: result.columns,
            columnKinds: kindsOf(result.profile),
            existing: result.existing,
          })
          return
        }
        const what = result.existing ? 'Already imported as dataset' : 'Imported dataset'
        process.stdout.write(
          `${what} ${result.id} "${safe(result.name)}": ${result.rows} rows, ${result.columns.length} columns (sha256 ${result.sha256.slice(0, 12)})\n`,
        )
        const counts = new Map<string, number>()
        for (const c of result.profile) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1)
        process.stdout.write(`  ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}\n`)
      })
    })

  dataset
    .command('show')
    .description('show a dataset and its column profiles (by id or name)')
    .argument('<dataset>', 'dataset id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(options, async (slipway) => {
        const detail = await slipway.call('datasets:get', {
          id: /^\d+$/.test(ref) ? Number(ref) : ref,
        })
        if (options.json) printJson(detail)
        else printProfile(detail)
      })
    })

  dataset
    .command('rename')
    .description('rename a dataset; names are unique, so a taken name is refused with a free one')
    .argument('<dataset>', 'dataset id or name')
    .argument('<name>', 'the new name')
    .action(async (ref: string, name: string, _opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(options, async (slipway) => {
        const result = await slipway.call('datasets:rename', {
          id: /^\d+$/.test(ref) ? Number(ref) : ref,
          name,
        })
        if (options.json) printJson(result)
        else process.stdout.write(`Dataset ${result.id} is now "${safe(result.name)}"\n`)
      })
    })

  dataset
    .command('remove')
    .description('remove a dataset no model version or result refers to')
    .argument('<dataset>', 'dataset id or name')
    .option(
      '--keep-results',
      'when evaluations or comparisons use it: delete its data (to the trash) but keep those results',
    )
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions & { keepResults?: boolean }>()
      await withSlipway(options, async (slipway) => {
        const result = await slipway.call('datasets:remove', {
          id: /^\d+$/.test(ref) ? Number(ref) : ref,
          ...(options.keepResults ? { keepResults: true } : {}),
        })
        if (options.json) printJson(result)
        else
          process.stdout.write(
            removedText('Dataset', result, options.keepResults ? ', its results kept' : ''),
          )
      })
    })

  program
    .command('datasets')
    .description('list datasets')
    .action(async (_opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(options, async (slipway) => {
        const list = await slipway.call('datasets:list', {})
        if (options.json) {
          printJson(list)
          return
        }
        if (list.length === 0) {
          process.stdout.write('No datasets yet. Import one with: slipway dataset add FILE\n')
          return
        }
        printTable(
          list.map((d) => ({
            id: d.id,
            name: d.name,
            format: d.format,
            rows: d.rows,
            columns: d.columns.length,
            sha256: d.sha256.slice(0, 12),
            imported: when(d.createdAt),
          })),
          ['id', 'name', 'format', 'rows', 'columns', 'sha256', 'imported'],
        )
      })
    })
}
