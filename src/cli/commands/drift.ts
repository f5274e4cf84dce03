// CLI commands of the drift feature.
import type { Command } from 'commander'

export function registerDriftCommands(_program: Command): void {}
