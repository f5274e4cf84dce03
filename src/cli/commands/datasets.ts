// CLI commands of the datasets feature.
import type { Command } from 'commander'

export function registerDatasetCommands(_program: Command): void {}
