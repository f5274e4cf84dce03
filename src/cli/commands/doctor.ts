// `slipway doctor`: checks the registry home end to end and, with --repair, removes what is safe.
import type { Command } from 'commander'
import { withSlipway } from '../context'
import { EXIT_ERROR, printJson, safe, type GlobalOptions } from '../output'

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check the registry: database integrity, every blob against its hash, missing and unreferenced blobs',
    )
    .option('--repair', 'remove unreferenced blobs, temporary files and dead leases')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { repair?: boolean }>()
      await withSlipway(opts, async (slipway) => {
        const report = await slipway.call('app:doctor', { repair: opts.repair === true })
        if (!report.healthy) process.exitCode = EXIT_ERROR
        if (opts.json) return printJson(report)
        const out = (line: string): boolean => process.stdout.write(`${line}\n`)
        out(
          `Database: ${report.databaseIntegrity.join() === 'ok' ? 'ok' : 'DAMAGED'}; checked ${report.versionsChecked} model versions and ${report.datasetsChecked} datasets (${report.bytesHashed} bytes hashed)`,
        )
        for (const problem of report.problems)
          out(`${problem.repaired ? 'repaired' : 'PROBLEM '}  ${safe(problem.message, 400)}`)
        const left = report.problems.filter((p) => !p.repaired).length
        if (!report.problems.length) out('No problems found.')
        else if (
          left &&
          !opts.repair &&
          report.problems.some(
            (p) => !p.repaired && ['orphan-blob', 'temporary-file', 'dead-lease'].includes(p.kind),
          )
        )
          out(
            `${left} problem(s). \`slipway doctor --repair\` removes unreferenced blobs and leftovers; the others need the original files.`,
          )
        else if (left) out(`${left} problem(s) left that doctor cannot repair.`)
        else out('Every problem found was repaired.')
      })
    })
}
