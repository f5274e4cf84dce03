// Slipway's command line: the automation face over the same core as the window and web mode.
import { Command } from 'commander'
import { SLIPWAY_VERSION } from '../core/service'
import { registerDatasetCommands } from './commands/datasets'
import { registerDriftCommands } from './commands/drift'
import { registerEvaluationCommands } from './commands/evaluation'
import { registerRegistryCommands } from './commands/registry'

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('slipway')
    .description('Local-first model registry, evaluation and drift for ONNX models')
    .version(SLIPWAY_VERSION)
    .option(
      '--home <dir>',
      'registry home (default: $SLIPWAY_HOME, else the per-user app data folder)',
    )
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
  registerRegistryCommands(program)
  registerDatasetCommands(program)
  registerEvaluationCommands(program)
  registerDriftCommands(program)
  return program
}

// Piped into `head`, the reader may go away early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`slipway: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  })
