// CLI commands of the evaluation feature.
import type { Command } from 'commander'

export function registerEvaluationCommands(_program: Command): void {}
