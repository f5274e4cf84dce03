// `slipway trash` lists deleted evaluations, comparisons, drift runs and datasets (kept 30 days);
// `slipway trash restore ID` puts one back with its old id.
import type { Command } from 'commander'
import { SlipwayError } from '../../api/errors'
import type { Removed } from '../../api/trash'
import { withSlipway } from '../context'
import { printJson, printTable, safe, when, type GlobalOptions } from '../output'

/** What a delete prints: what went, and the command that brings it back. */
export const removedText = (what: string, removed: Removed, note = ''): string =>
  `${what} ${removed.id} deleted${note}; it can be restored for 30 days: slipway trash restore ${removed.trashId}\n`

export function registerTrashCommands(program: Command): void {
  const trash = program
    .command('trash')
    .description('list deleted evaluations, comparisons, drift runs and datasets (kept 30 days)')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        const list = await slipway.call('trash:list', {})
        if (opts.json) return printJson(list)
        if (!list.length) return void process.stdout.write('The trash is empty\n')
        printTable(
          list.map((e) => ({
            id: e.id,
            what: e.title,
            deleted: `${when(e.deletedAt)} by ${safe(e.deletedBy, 40)}`,
            'purged after': when(e.purgeAfter),
          })),
          ['id', 'what', 'deleted', 'purged after'],
        )
      })
    })
  trash
    .command('restore')
    .description('put a deleted item back, with the id it had')
    .argument('<id>', 'the trash entry id (see `slipway trash`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withSlipway(opts, async (slipway) => {
        if (!/^\d+$/.test(id.trim()) || Number(id) < 1)
          throw new SlipwayError('INVALID_INPUT', `Trash entry "${safe(id, 40)}" is not an id`)
        const entry = await slipway.call('trash:restore', { id: Number(id) })
        if (opts.json) printJson(entry)
        else process.stdout.write(`Restored ${entry.title}\n`)
      })
    })
}
