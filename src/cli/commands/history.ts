// CLI listings of what was stored: evaluations, shadow comparisons and drift runs, each listed
// (optionally for one model) and shown by id, as the window's history tables and result pages are.
import type { Command } from 'commander'
import { SlipwayError } from '../../api/errors'
import { metricLabel } from '../../api/metrics'
import type { Removed } from '../../api/trash'
import type { Slipway } from '../../core/service'
import { showAnswer, withSlipway } from '../context'
import { printJson, printTable, safe, when, type GlobalOptions } from '../output'
import { driftJson, printReport } from './drift'
import { evaluationJson, printEvaluation, printShadow, shadowJson } from './evaluation'
import { removedText } from './trash'

/** A positive whole number given as an id; anything else is a usage error naming the argument. */
function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new SlipwayError('INVALID_INPUT', `${what} "${safe(text, 40)}" is not an id (1, 2, 3, …)`)
  return Number(text)
}

const headlineText = (headline: Record<string, number | null>): string =>
  Object.entries(headline)
    .filter(([, value]) => value !== null)
    .slice(0, 3)
    .map(([key, value]) => `${metricLabel(key)} ${Number(value).toPrecision(4)}`)
    .join(', ')

async function removeById(
  cmd: Command,
  id: string,
  what: string,
  remove: (slipway: Slipway, id: number) => Promise<Removed>,
): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOptions>()
  await withSlipway(opts, async (slipway) => {
    const result = await remove(slipway, parseId(id, what))
    if (opts.json) printJson(result)
    else process.stdout.write(removedText(what, result))
  })
}

export function registerHistoryCommands(program: Command): void {
  program
    .command('evaluations')
    .description('list stored evaluations, newest first (of one model when MODEL is given)')
    .argument('[model]', 'only the evaluations of this model')
    .option('--version <n>', 'only the evaluations of this version (needs MODEL)')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { version?: string }>()
      await withSlipway(opts, async (slipway) => {
        if (opts.version !== undefined && !model)
          throw new SlipwayError(
            'INVALID_INPUT',
            '--version needs the model: evaluations MODEL --version N',
          )
        const list = await slipway.call('eval:list', {
          ...(model ? { model } : {}),
          ...(opts.version !== undefined
            ? { version: parseId(opts.version.replace(/^v/i, ''), '--version') }
            : {}),
        })
        if (opts.json) return printJson(list)
        if (list.length === 0)
          return void process.stdout.write(
            `No evaluations${model ? ` of ${safe(model, 80)}` : ''} yet. Run one with \`slipway evaluate MODEL@REF --data FILE\`.\n`,
          )
        printTable(
          list.map((e) => ({
            id: e.id,
            model: e.model,
            version: `v${e.version}`,
            dataset: e.dataset.name,
            rows: e.rows,
            headline: headlineText(e.headline),
            when: when(e.createdAt),
            by: e.createdBy,
          })),
          ['id', 'model', 'version', 'dataset', 'rows', 'headline', 'when', 'by'],
        )
      })
    })

  const evaluation = program.command('evaluation').description('show or delete stored evaluations')
  evaluation
    .command('remove')
    .description('delete a stored evaluation (refused while a gate report rests on it)')
    .argument('<id>', 'evaluation id')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      removeById(cmd, id, 'Evaluation', (slipway, n) => slipway.call('eval:remove', { id: n })),
    )
  evaluation
    .command('show')
    .description('show one stored evaluation: metrics, confusion matrix, slices, latency')
    .argument('<id>', 'evaluation id (see `slipway evaluations`)')
    .action(
      showAnswer(
        (slipway, _opts, id = '') => slipway.call('eval:get', { id: parseId(id, 'Evaluation') }),
        printEvaluation,
        evaluationJson,
      ),
    )

  program
    .command('comparisons')
    .description('list stored shadow comparisons, newest first (of one model when MODEL is given)')
    .argument('[model]', 'only comparisons whose champion or challenger is of this model')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const list = await slipway.call('shadow:list', model ? { model } : {})
        if (opts.json) return printJson(list)
        if (list.length === 0)
          return void process.stdout.write(
            `No comparisons${model ? ` of ${safe(model, 80)}` : ''} yet. Run one with \`slipway shadow CHAMPION CHALLENGER --data FILE\`.\n`,
          )
        printTable(
          list.map((c) => ({
            id: c.id,
            champion: `${c.champion.model} v${c.champion.version}`,
            challenger: `${c.challenger.model} v${c.challenger.version}`,
            dataset: c.dataset.name,
            rows: c.dataset.rows,
            when: when(c.createdAt),
            by: c.createdBy,
          })),
          ['id', 'champion', 'challenger', 'dataset', 'rows', 'when', 'by'],
        )
      })
    })

  const comparison = program
    .command('comparison')
    .description('show or delete stored shadow comparisons')
  comparison
    .command('remove')
    .description('delete a stored shadow comparison')
    .argument('<id>', 'comparison id')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      removeById(cmd, id, 'Comparison', (slipway, n) => slipway.call('shadow:remove', { id: n })),
    )
  comparison
    .command('show')
    .description('show one stored shadow comparison: agreement, flips, McNemar, metrics, latency')
    .argument('<id>', 'comparison id (see `slipway comparisons`)')
    .action(
      showAnswer(
        (slipway, _opts, id = '') => slipway.call('shadow:get', { id: parseId(id, 'Comparison') }),
        printShadow,
        shadowJson,
      ),
    )

  program
    .command('drift-runs')
    .description('list stored drift runs, newest first (of one model when MODEL is given)')
    .argument('[model]', 'only the drift runs of this model')
    .option('--limit <n>', 'at most this many runs (default 100)')
    .action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { limit?: string }>()
      await withSlipway(opts, async (slipway) => {
        const list = await slipway.call('drift:list', {
          ...(model ? { model } : {}),
          ...(opts.limit !== undefined ? { limit: parseId(opts.limit, '--limit') } : {}),
        })
        if (opts.json) return printJson(list)
        if (list.length === 0)
          return void process.stdout.write(
            `No drift runs${model ? ` of ${safe(model, 80)}` : ''} yet. Run one with \`slipway drift --reference REF --current FILE\`.\n`,
          )
        printTable(
          list.map((r) => ({
            id: r.id,
            model: r.model ? `${r.model}${r.version ? ` v${r.version}` : ''}` : '—',
            reference: r.referenceName,
            current: r.currentName,
            drift: r.datasetDrift ? 'DRIFT' : 'no drift',
            columns: `${r.driftedColumns}/${r.testedColumns}`,
            when: when(r.createdAt),
            by: r.createdBy,
          })),
          ['id', 'model', 'reference', 'current', 'drift', 'columns', 'when', 'by'],
        )
      })
    })

  const driftRun = program.command('drift-run').description('show or delete stored drift runs')
  driftRun
    .command('remove')
    .description('delete a stored drift run (not one that records a monitored file)')
    .argument('<id>', 'drift run id')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      removeById(cmd, id, 'Drift run', (slipway, n) =>
        slipway.call('drift:remove-run', { runId: n }),
      ),
    )
  driftRun
    .command('show')
    .description('show one stored drift run: the verdict and every column')
    .argument('<id>', 'drift run id (see `slipway drift-runs`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const run = await slipway.call('drift:get', { runId: parseId(id, 'Drift run') })
        if (opts.json) printJson(driftJson(run.report))
        else {
          process.stdout.write(
            `Drift run ${run.id}, ${when(run.createdAt)} by ${safe(run.createdBy, 60)}\n`,
          )
          printReport(run.report)
        }
      })
    })
}
