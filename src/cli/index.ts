// Slipway's command line: the automation face over the same core as the window and web mode.
import { Command, CommanderError } from 'commander'
import { escapeControl } from '../api/display'
import { SLIPWAY_VERSION } from '../core/service'
import { registerDatasetCommands } from './commands/datasets'
import { registerDoctorCommand } from './commands/doctor'
import { registerDriftCommands } from './commands/drift'
import { registerEvaluationCommands } from './commands/evaluation'
import { registerGovernanceCommands } from './commands/governance'
import { registerRegistryCommands } from './commands/registry'
import { registerSyncCommands } from './commands/sync'
import { EXIT_ERROR, printJson } from './output'
import { relaunchIfLong, restoreArgv } from './relaunch'

/** Arguments can carry escape sequences; shown back in an error they must not reach the terminal. */
const terminalSafe = (text: string): string => text.split('\n').map(escapeControl).join('\n')

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
    // Set before the commands are added, so every subcommand inherits them: a usage mistake
    // becomes a CommanderError that main() reports, as JSON when --json was asked for.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(terminalSafe(text)) })
  registerRegistryCommands(program)
  registerDatasetCommands(program)
  registerEvaluationCommands(program)
  registerDriftCommands(program)
  registerGovernanceCommands(program)
  registerDoctorCommand(program)
  registerSyncCommands(program)
  return program
}

/** `--json` anywhere before a `--` terminator, even when the command line fails to parse. */
const wantsJson = (argv: string[]): boolean => {
  const end = argv.indexOf('--')
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json')
}

function usageMessage(error: CommanderError): string {
  if (error.code === 'commander.help') return 'No command given; see `slipway --help`'
  return error.message.replace(/^error: /, '')
}

// Piped into `head`, the reader may go away early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

function run(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((error: unknown) => {
      if (error instanceof CommanderError) {
        // --help and --version end here too, with exit code 0 and their text already printed.
        if (error.exitCode !== 0 && wantsJson(argv.slice(2)))
          printJson({ error: { code: 'INVALID_INPUT', message: usageMessage(error) } })
        process.exitCode = error.exitCode
        return
      }
      const message = error instanceof Error ? error.message : String(error)
      if (wantsJson(argv.slice(2))) printJson({ error: { code: 'INTERNAL', message } })
      else process.stderr.write(`slipway: ${terminalSafe(message)}\n`)
      process.exitCode = EXIT_ERROR
    })
}

// A long command line is run by a child with a short one (see relaunch.ts): ONNX Runtime crashes
// in a process whose command line is longer than about 28 KB.
const relaunched = relaunchIfLong()
if (relaunched) void relaunched.then((code) => (process.exitCode = code))
else run(restoreArgv(process.argv))
