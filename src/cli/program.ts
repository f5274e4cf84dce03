// The command tree of the CLI, built apart from running it so tests can walk every command.
import { Command } from 'commander'
import { escapeControl } from '../api/display'
import { SLIPWAY_VERSION } from '../core/service'
import { registerDatasetCommands } from './commands/datasets'
import { registerDoctorCommand } from './commands/doctor'
import { registerDriftCommands } from './commands/drift'
import { registerEvaluationCommands } from './commands/evaluation'
import { registerGovernanceCommands } from './commands/governance'
import { registerHistoryCommands } from './commands/history'
import { registerTrashCommands } from './commands/trash'
import { registerRegistryCommands } from './commands/registry'
import { registerRetrainingCommands } from './commands/retraining'
import { registerSyncCommands } from './commands/sync'

/** Arguments can carry escape sequences; shown back in an error they must not reach the terminal. */
export const terminalSafe = (text: string): string => text.split('\n').map(escapeControl).join('\n')

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
    // A usage mistake gets its one-line message and where to read more, not the whole help.
    .showHelpAfterError('(see `slipway help COMMAND` for its options)')
    // Set before the commands are added, so every subcommand inherits them: a usage mistake
    // becomes a CommanderError that main() reports, as JSON when --json was asked for.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(terminalSafe(text)) })
  registerRegistryCommands(program)
  registerDatasetCommands(program)
  registerEvaluationCommands(program)
  registerDriftCommands(program)
  registerRetrainingCommands(program)
  registerHistoryCommands(program)
  registerGovernanceCommands(program)
  registerDoctorCommand(program)
  registerSyncCommands(program)
  registerTrashCommands(program)
  return program
}
